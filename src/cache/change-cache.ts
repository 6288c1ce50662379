/**
 * A bounded in-process cache of rows that change rarely (PENDING and BOUND bindings, catalog titles), kept right by
 * the store's change notifications (store/change-feed.ts), with a short lifetime per entry as a backstop. It serves
 * nothing while the notifications are not known to arrive (a replica's listening connection is down), and a fill that
 * started before an invalidation is dropped, so a row read just before a change committed never outlives the change.
 */
import type { Store, StoreChange } from '../store/types.js';

export interface ChangeCacheOptions {
  /** Entries held at most; the least recently used goes first. 0 turns the cache off. */
  readonly maxEntries: number;
  /** How long an entry is served after it was read from the store. */
  readonly ttlMs: number;
  /** The service's clock. */
  readonly now: () => Date;
  /** Which rows: the store's changes of this kind drop them. */
  readonly kind: Exclude<StoreChange['kind'], 'reset'>;
  readonly store: Pick<Store, 'onChange' | 'changesLive'>;
}

interface Entry<V> {
  readonly value: V;
  readonly until: number;
}

export class ChangeCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  /** Bumped by every invalidation: a fill that started at an older version may hold what was invalidated. */
  private generation = 0;

  constructor(private readonly options: ChangeCacheOptions) {
    // Off: holds nothing, so has nothing to hear of.
    if (options.maxEntries === 0) return;
    options.store.onChange((change) => {
      if (change.kind === 'reset') this.clear();
      else if (change.kind === options.kind) this.delete(change.id);
    });
  }

  /** Take before reading the store; hand to `set` with what was read. */
  version(): number {
    return this.generation;
  }

  /**
   * The entry for `key`, unless the notifications are down or its lifetime is over, or `usable` (the caller's own
   * test, e.g. a PENDING binding's deadline) says it is stale: such an entry is dropped.
   */
  get(key: string, usable?: (value: V) => boolean): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (
      !this.options.store.changesLive() ||
      entry.until <= this.options.now().getTime() ||
      (usable !== undefined && !usable(entry.value))
    ) {
      // Dropping an entry never makes another one stale: the generation stays.
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last, so that the first key is the one to evict.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, version: number): void {
    const { maxEntries, ttlMs, now, store } = this.options;
    if (maxEntries === 0 || version !== this.generation || !store.changesLive()) return;
    this.entries.delete(key);
    if (this.entries.size >= maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until: now().getTime() + ttlMs });
  }

  delete(key: string): void {
    this.generation += 1;
    this.entries.delete(key);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
