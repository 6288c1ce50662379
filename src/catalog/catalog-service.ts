import type { Viewer } from '../auth/viewer.js';
import { ForbiddenError, NotFoundError } from '../errors/app-error.js';
import type DataLoader from 'dataloader';
import type { CatalogEntry, ContentRecord, Store } from '../store/types.js';
import { CONTENT_ID, validateContentInput, type RawContentInput } from './content-input.js';
import { demoCatalog } from './demo-catalog.js';

export class CatalogService {
  constructor(private readonly deps: { store: Store; now: () => Date }) {}

  /** A page of the catalog by id; no content key is read. */
  page(limit: number, afterId: string | null): Promise<CatalogEntry[]> {
    return this.deps.store.listContentsPage(limit, afterId);
  }

  /** One title without its key, through the request's loader (one query for every title a response needs). */
  async entry(id: string, contentById: DataLoader<string, CatalogEntry | null>): Promise<CatalogEntry> {
    const content = CONTENT_ID.test(id) ? await contentById.load(id) : null;
    if (content === null) throw new NotFoundError('content', id);
    return content;
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
