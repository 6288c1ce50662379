import type { Viewer } from '../auth/viewer.js';
import { ForbiddenError, NotFoundError } from '../errors/app-error.js';
import DataLoader from 'dataloader';
import type { CatalogEntry, ContentRecord, Store } from '../store/types.js';
import { CONTENT_ID, validateContentInput, type RawContentInput } from './content-input.js';
import { demoCatalog } from './demo-catalog.js';

/** Long-lived: what every request shares. Each request reads titles through its own `forRequest` scope. */
export class CatalogService {
  constructor(private readonly deps: { store: Store; now: () => Date }) {}

  forRequest(): RequestCatalog {
    return new RequestCatalog(this, this.deps.store);
  }

  /** A page of the catalog by id; no content key is read. */
  page(limit: number, afterId: string | null): Promise<CatalogEntry[]> {
    return this.deps.store.listContentsPage(limit, afterId);
  }

  /** One title with its content key in clear: for issuing a token only. */
  async get(id: string): Promise<ContentRecord> {
    const content = CONTENT_ID.test(id) ? await this.deps.store.getContent(id) : null;
    if (content === null) throw new NotFoundError('content', id);
    return content;
  }

  async upsert(viewer: Viewer, input: RawContentInput): Promise<ContentRecord> {
    if (!viewer.isAdmin) throw new ForbiddenError('Only admins can change the catalog (token role "admin").');
    return this.deps.store.upsertContent(validateContentInput(input), this.deps.now());
  }

  /** Fills an empty catalog with the demo titles; a catalog with anything in it is left alone. */
  async seedDemo(): Promise<number> {
    if ((await this.deps.store.listContentsPage(1, null)).length > 0) return 0;
    const now = this.deps.now();
    const items = demoCatalog();
    for (const content of items) await this.deps.store.upsertContent(content, now);
    return items.length;
  }
}

/**
 * The catalog as one request sees it: titles a response names (list items' `content`, aliases) are read in one query
 * per page, without their keys, by a loader that lives and dies with the request.
 */
export class RequestCatalog {
  private readonly contentById: DataLoader<string, CatalogEntry | null>;

  constructor(
    private readonly catalog: CatalogService,
    store: Store,
  ) {
    this.contentById = new DataLoader<string, CatalogEntry | null>(
      async (ids) => {
        const byId = new Map((await store.contentsByIds(ids)).map((c) => [c.id, c]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      // A page holds at most 100 items; one IN list per page.
      { maxBatchSize: 100 },
    );
  }

  page(limit: number, afterId: string | null): Promise<CatalogEntry[]> {
    return this.catalog.page(limit, afterId);
  }

  /** One title without its key. */
  async entry(id: string): Promise<CatalogEntry> {
    const content = CONTENT_ID.test(id) ? await this.contentById.load(id) : null;
    if (content === null) throw new NotFoundError('content', id);
    return content;
  }

  upsert(viewer: Viewer, input: RawContentInput): Promise<ContentRecord> {
    this.contentById.clear(input.id);
    return this.catalog.upsert(viewer, input);
  }
}
