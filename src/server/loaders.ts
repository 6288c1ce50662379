import DataLoader from 'dataloader';
import type { BindingLoaders, BindingService } from '../bindings/binding-service.js';
import type { ExpressPlayClient, LicenseRecord } from '../datasources/expressplay/types.js';
import type { BindingRecord, Store } from '../store/types.js';

export type Loaders = BindingLoaders;

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
  return { recordsByCookie, bindingById };
}
