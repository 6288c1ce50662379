import type { Viewer } from '../auth/viewer.js';
import { ForbiddenError, NotFoundError } from '../errors/app-error.js';
import DataLoader from 'dataloader';
import { ChangeCache } from '../cache/change-cache.js';
import type { CatalogEntry, ContentRecord, Store } from '../store/types.js';
import { CONTENT_ID, validateContentInput, type RawContentInput } from './content-input.js';
import { demoCatalog } from './demo-catalog.js';

/** Long-lived: what every request shares. Each request reads titles through its own `forRequest` scope. */
export class CatalogService {
  /**
   * Titles by id, as purchases, rentals and license tokens read them (key included: each of them issues a token with
   * it). Dropped on upsertContent through the store's change feed, on this replica and every other.
   */
  private readonly titles: ChangeCache<ContentRecord>;

  constructor(
    private readonly deps: {
      store: Store;
      now: () => Date;
      /** Titles kept in process: how many, and for how long at most. */
      cache?: { maxEntries: number; ttlMs: number };
    },
  ) {
    this.titles = new ChangeCache<ContentRecord>({
      maxEntries: deps.cache?.maxEntries ?? 0,
      ttlMs: deps.cache?.ttlMs ?? 0,
      now: deps.now,
      kind: 'content',
      store: deps.store,
    });
  }

  forRequest(): RequestCatalog {
    return new RequestCatalog(this, this.deps.store);
  }

  /** A title from the process's cache, if it holds it; without its key. */
  cachedEntry(id: string): CatalogEntry | undefined {
    const content = this.titles.get(id);
    if (content === undefined) return undefined;
    const { contentKey: _key, ...entry } = content;
    return entry;
  }

  /** A page of the catalog by id; no content key is read. */
  page(limit: number, afterId: string | null): Promise<CatalogEntry[]> {
    return this.deps.store.listContentsPage(limit, afterId);
  }

  /**
   * One title with its content key in clear: for issuing a token only. Kept in process, key included: the process
   * holds the key that decrypts every stored content key anyway, and the title is issued a token with at once.
   */
  async get(id: string): Promise<ContentRecord> {
    if (!CONTENT_ID.test(id)) throw new NotFoundError('content', id);
    const cached = this.titles.get(id);
    if (cached !== undefined) return cached;
    const version = this.titles.version();
    const content = await this.deps.store.getContent(id);
    if (content === null) throw new NotFoundError('content', id);
    this.titles.set(id, content, version);
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
        const byId = new Map<string, CatalogEntry>();
        for (const id of ids) {
          const cached = catalog.cachedEntry(id);
          if (cached !== undefined) byId.set(id, cached);
        }
        const missing = ids.filter((id) => !byId.has(id));
        for (const content of await store.contentsByIds(missing)) byId.set(content.id, content);
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
