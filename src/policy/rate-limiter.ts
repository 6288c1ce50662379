import { RateLimitedError } from '../errors/app-error.js';
import type { Store } from '../store/types.js';

export type LimitedAction = 'bindDevice' | 'purchase' | 'rent';

export interface RateLimiter {
  /** Counts one call; throws RATE_LIMITED past the limit. */
  check(userId: string, action: LimitedAction): Promise<void>;
}

const WINDOW_SECONDS = 60;

/** Counted in the shared database, not in memory, so the limit holds however many replicas serve the user. */
export function createRateLimiter(store: Store, perMinute: number, now: () => Date): RateLimiter {
  return {
    async check(userId, action) {
      const at = now();
      if (await store.hitRateLimit(userId, action, perMinute, WINDOW_SECONDS, at)) return;
      const windowEndMs = (Math.floor(at.getTime() / (WINDOW_SECONDS * 1000)) + 1) * WINDOW_SECONDS * 1000;
      throw new RateLimitedError(action, Math.max(1, Math.ceil((windowEndMs - at.getTime()) / 1000)));
    },
  };
}
