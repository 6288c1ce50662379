import DataLoader from 'dataloader';
import type { BindingLoaders, BindingService } from '../bindings/binding-service.js';
import type { ExpressPlayClient, LicenseRecord } from '../datasources/expressplay/types.js';
import type { BindingRecord, CatalogEntry, Store } from '../store/types.js';

export interface Loaders extends BindingLoaders {
  /** Catalog entries without their keys: every title a response names, in one query. */
  readonly contentById: DataLoader<string, CatalogEntry | null>;
}

const toError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/**
 * Made fresh for every request (never shared: a cache across users would serve one user's records to another).
 * Within one request, however many fields, aliases or list items need the same cookie, ExpressPlay is asked once.
 */
export function createLoaders(expressplay: ExpressPlayClient, store: Store, bindings: BindingService): Loaders {
  // Record retrieval takes one cookie per call, so a batch fans out into parallel calls. The gain is
  // de-duplication; each key settles on its own, so one failed lookup does not fail its neighbours.
  const recordsByCookie = new DataLoader<string, readonly LicenseRecord[]>(
    (cookies) => Promise.all(cookies.map((cookie) => expressplay.recordsByCookie(cookie).catch(toError))),
    { maxBatchSize: 16 },
  );
  const bindingById = new DataLoader<string, BindingRecord | null>((ids) =>
    Promise.all(
      ids.map(async (id) => {
        try {
          const row = await store.getBinding(id);
          return row === null ? null : await bindings.refresh(row, recordsByCookie);
        } catch (error) {
          return toError(error);
        }
      }),
    ),
  );
  const contentById = new DataLoader<string, CatalogEntry | null>(
    async (ids) => {
      const byId = new Map((await store.contentsByIds(ids)).map((c) => [c.id, c]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    // A page holds at most 100 items; one IN list per page.
    { maxBatchSize: 100 },
  );
  return { recordsByCookie, bindingById, contentById };
}
