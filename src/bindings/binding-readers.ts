/**
 * What one request reads about device bindings, de-duplicated: plain readers with no side effect, so that a batch
 * function never writes. Bringing a binding up to date (which may write) is the request scope's job
 * (RequestBindings in binding-service.ts).
 */
import DataLoader from 'dataloader';
import type { ExpressPlayClient, LicenseRecord } from '../datasources/expressplay/types.js';
import type { BindingRecord, Store } from '../store/types.js';

export interface BindingReaders {
  /** ExpressPlay's license records for a cookie, through the request's own (budgeted) client. */
  readonly recordsByCookie: DataLoader<string, readonly LicenseRecord[]>;
  /** A binding as stored, not brought up to date. */
  readonly bindingById: DataLoader<string, BindingRecord | null>;
}

const toError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/**
 * Made fresh for every request (never shared: a cache across users would serve one user's records to another).
 * Within one request, however many fields, aliases or list items need the same cookie, ExpressPlay is asked once.
 */
export function createBindingReaders(expressplay: ExpressPlayClient, store: Store): BindingReaders {
  // Record retrieval takes one cookie per call, so a batch fans out into parallel calls. The gain is
  // de-duplication; each key settles on its own, so one failed lookup does not fail its neighbours.
  const recordsByCookie = new DataLoader<string, readonly LicenseRecord[]>(
    (cookies) => Promise.all(cookies.map((cookie) => expressplay.recordsByCookie(cookie).catch(toError))),
    { maxBatchSize: 16 },
  );
  const bindingById = new DataLoader<string, BindingRecord | null>((ids) =>
    Promise.all(ids.map((id) => store.getBinding(id).catch(toError))),
  );
  return { recordsByCookie, bindingById };
}
