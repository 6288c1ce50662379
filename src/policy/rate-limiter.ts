import { RateLimitedError } from '../errors/app-error.js';
import type { Store } from '../store/types.js';

/** `upstream` counts calls to ExpressPlay, whatever operation made them (see upstream-budget.ts). */
export type LimitedAction = 'bindDevice' | 'purchase' | 'rent' | 'upstream';

export interface RateLimiter {
  /** Counts one call; throws RATE_LIMITED past the limit. */
  check(userId: string, action: LimitedAction, options?: HitOptions): Promise<void>;
  /** Counts one call: null when it is within the limit, else the whole seconds until the window ends. */
  hit(userId: string, action: LimitedAction, options?: HitOptions): Promise<number | null>;
}

export interface HitOptions {
  /**
   * The action the call counts next (a purchase's ExpressPlay call): when this hit asks the database anyway and the
   * process holds nothing of that action's window, a slice of it is reserved in the same statement, so that its
   * hit is spent locally. An occasional user's operation then costs one reservation, not two.
   */
  readonly alongside?: LimitedAction;
}

export interface RateLimiterOptions {
  readonly store: Store;
  /** Calls per user per minute, for each action. */
  readonly perMinute: Readonly<Record<LimitedAction, number>>;
  readonly now: () => Date;
  /**
   * Exhausted (user, action) windows this process remembers, and as many reserved slices; the oldest is forgotten
   * first (a forgotten slice's unspent hits are lost for the window, never given twice).
   */
  readonly maxRemembered?: number;
}

/** Hits of a (user, action) window this process took from the database and has not spent yet. */
interface Slice {
  /** End of the window they belong to (ms since the epoch). */
  readonly windowEnd: number;
  left: number;
  /** How many to ask for next time: doubles with each reservation in the window, up to `maxSlice`. */
  next: number;
}

/**
 * The most hits one reservation takes: a quarter of the limit (at most 100), so that a user whose calls are spread
 * over replicas finds most of the window in the database and not stranded in another replica's slice.
 */
export function maxSliceOf(limit: number): number {
  return Math.max(1, Math.min(100, Math.floor(limit / 4)));
}

const WINDOW_SECONDS = 60;
const WINDOW_MS = WINDOW_SECONDS * 1000;
const DEFAULT_MAX_REMEMBERED = 10_000;

/**
 * Counted in the shared database, not in memory, so the limit holds however many replicas serve the user. An admitted
 * call mostly writes nothing either: the process reserves a slice of the user's window in the database (1 hit, then
 * 2, 4, ... up to a quarter of the limit) and spends it locally, so the database's count is never below what the
 * replicas admitted and never passes the limit. The price: hits a replica reserved and did not spend before the
 * window ended are lost, so a user spread over N replicas may be refused up to N × (slice − 1) calls early.
 * Two things keep a flood of refused calls from costing the database, and so everyone else, anything:
 * - once the database has refused a (user, action) in a window, this process refuses it locally until the window
 *   ends. Safe because a window's count only grows: a refusal stays a refusal for the rest of that window;
 * - one user's hits of one action go to the database one at a time per process, so a burst holds at most one pooled
 *   connection (and one row lock) rather than the whole pool, and the hits queued behind the one that learned of
 *   the exhaustion are refused locally.
 */
export function createRateLimiter({
  store,
  perMinute,
  now,
  maxRemembered = DEFAULT_MAX_REMEMBERED,
}: RateLimiterOptions): RateLimiter {
  /** Key → end of its exhausted window (ms since the epoch). Bounded: forgetting one only costs a database round trip. */
  const exhausted = new Map<string, number>();
  /** Key → the last database hit queued for it; only keys with a hit in flight are here. */
  const tails = new Map<string, Promise<unknown>>();
  /** Key → its reserved, unspent hits. Bounded like `exhausted`. */
  const slices = new Map<string, Slice>();

  /** Spends one reserved hit of the window that contains `at`, if this process holds one. */
  const spend = (key: string, at: Date): boolean => {
    const slice = slices.get(key);
    if (slice === undefined) return false;
    if (slice.windowEnd !== windowEndOf(at)) {
      // A past window's slice: its next reservation starts small again.
      slices.delete(key);
      return false;
    }
    if (slice.left === 0) return false;
    slice.left -= 1;
    return true;
  };

  /** One user's count of one action: the key of every map here. */
  const keyOf = (userId: string, action: LimitedAction): string => `${action}\u0000${userId}`;
  const windowEndOf = (at: Date): number => (Math.floor(at.getTime() / WINDOW_MS) + 1) * WINDOW_MS;
  const secondsUntil = (end: number, at: Date): number => Math.max(1, Math.ceil((end - at.getTime()) / 1000));

  /** Seconds until the window ends when this key is known exhausted now, else undefined. */
  const knownRefusal = (key: string, at: Date): number | undefined => {
    const end = exhausted.get(key);
    if (end === undefined) return undefined;
    if (end > at.getTime()) return secondsUntil(end, at);
    exhausted.delete(key);
    return undefined;
  };

  const remember = (key: string, end: number): void => {
    exhausted.delete(key);
    // Entries go in as windows are exhausted, so the first is the oldest and the likeliest to be over already.
    if (exhausted.size >= maxRemembered) exhausted.delete(exhausted.keys().next().value!);
    exhausted.set(key, end);
  };

  const serially = <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };

  /** Records what a reservation took for `key`: a slice to spend (whole), or the window known exhausted. */
  const settle = (key: string, end: number, limit: number, want: number, taken: number): void => {
    slices.delete(key);
    if (taken === 0) {
      remember(key, end);
      return;
    }
    if (slices.size >= maxRemembered) slices.delete(slices.keys().next().value!);
    slices.set(key, { windowEnd: end, left: taken, next: Math.min(maxSliceOf(limit), want * 2) });
  };

  /** How many hits of `key`'s window that contains `end` to ask for: double the last slice's, or 1 in a new window. */
  const wantOf = (key: string, end: number): number => {
    const held = slices.get(key);
    return held?.windowEnd === end ? held.next : 1;
  };

  /**
   * Claims the alongside action's reservation for this hit's statement when the process holds nothing of its window
   * and nothing is on its way: its own hits queue behind the claim (as behind any reservation) and settle it when the
   * statement answers (`undefined`: it failed, and they ask the database themselves). Undefined when not worth it.
   */
  const claimAlongside = (userId: string, action: LimitedAction, at: Date) => {
    const key = keyOf(userId, action);
    if (tails.has(key) || knownRefusal(key, at) !== undefined) return undefined;
    const end = windowEndOf(at);
    const held = slices.get(key);
    if (held !== undefined && held.windowEnd === end && held.left > 0) return undefined;
    let answer!: (taken: number | undefined) => void;
    const answered = new Promise<number | undefined>((resolve) => (answer = resolve));
    const want = wantOf(key, end);
    const limit = perMinute[action];
    void serially(key, async () => {
      const taken = await answered;
      if (taken !== undefined) settle(key, end, limit, want, taken);
    });
    return { ask: { action, limit, want }, answer };
  };

  const hit = async (userId: string, action: LimitedAction, options: HitOptions = {}): Promise<number | null> => {
    const key = keyOf(userId, action);
    const first = now();
    const early = knownRefusal(key, first);
    if (early !== undefined) return early;
    if (!tails.has(key) && spend(key, first)) return null;
    return serially(key, async () => {
      const at = now();
      // Asked again: the hit before this one in the queue may have found the window exhausted, or reserved a slice.
      const known = knownRefusal(key, at);
      if (known !== undefined) return known;
      if (spend(key, at)) return null;
      const end = windowEndOf(at);
      const limit = perMinute[action];
      const want = wantOf(key, end);
      const alongside =
        options.alongside !== undefined && options.alongside !== action
          ? claimAlongside(userId, options.alongside, at)
          : undefined;
      let taken: number;
      try {
        const asks = [{ action, limit, want }, ...(alongside ? [alongside.ask] : [])];
        const answers = await store.reserveRateLimits(userId, asks, WINDOW_SECONDS, at);
        alongside?.answer(answers[1]);
        taken = answers[0];
      } catch (error) {
        alongside?.answer(undefined);
        throw error;
      }
      settle(key, end, limit, want, taken);
      if (taken === 0) return secondsUntil(end, at);
      spend(key, at);
      return null;
    });
  };

  return {
    hit,
    async check(userId, action, options) {
      const retryAfterSeconds = await hit(userId, action, options);
      if (retryAfterSeconds !== null) throw new RateLimitedError(action, retryAfterSeconds);
    },
  };
}
