/**
 * A user's budget of ExpressPlay calls. ExpressPlay is one account shared by every user of the service: without a
 * budget, one user's batched, aliased requests (10 operations × 60 aliases = 600 token requests in one POST) can
 * slow it down or trip the circuit breaker for everyone. Every call to ExpressPlay a request makes (dummy tokens,
 * license tokens, record retrievals) is charged before it is made, to the request (in memory) and to the user's
 * minute (in the shared database, like the other rate limits); past either, the call is not made.
 */
import type { ExpressPlayClient } from '../datasources/expressplay/types.js';
import { UnauthenticatedError, UpstreamBudgetExceededError } from '../errors/app-error.js';
import type { RateLimiter } from './rate-limiter.js';

export interface UpstreamBudget {
  /** Counts one call to ExpressPlay; throws RATE_LIMITED (and counts nothing more) past the budget. */
  charge(): Promise<void>;
}

export interface UpstreamBudgetOptions {
  readonly limiter: RateLimiter;
  /** Null for an anonymous request, which may make no call. */
  readonly userId: string | null;
  readonly perRequest: number;
  readonly perMinute: number;
}

/** One per HTTP request: the per-request count lives in it. */
export function createUpstreamBudget({ limiter, userId, perRequest, perMinute }: UpstreamBudgetOptions): UpstreamBudget {
  let used = 0;
  return {
    async charge() {
      if (userId === null) throw new UnauthenticatedError();
      // Counted before anything is awaited, so that parallel fields of one request cannot all pass a check.
      if (used >= perRequest) {
        throw new UpstreamBudgetExceededError(
          `This request needs more than ${perRequest} calls to the DRM license service (license tokens, device ` +
            'bindings and device status checks), the most one request may make. Send the rest in another request.',
          1,
        );
      }
      used += 1;
      const retryAfterSeconds = await limiter.hit(userId, 'upstream');
      if (retryAfterSeconds !== null) {
        throw new UpstreamBudgetExceededError(
          `You have made ${perMinute} calls to the DRM license service (license tokens, device bindings and device ` +
            `status checks) this minute, the most allowed. Try again in ${retryAfterSeconds} seconds.`,
          retryAfterSeconds,
        );
      }
    },
  };
}

/** The client a request uses: every call is charged to its budget first, and not made when the budget is spent. */
export function withUpstreamBudget(client: ExpressPlayClient, budget: UpstreamBudget): ExpressPlayClient {
  return {
    async requestToken(request) {
      await budget.charge();
      return client.requestToken(request);
    },
    async recordsByCookie(cookie) {
      await budget.charge();
      return client.recordsByCookie(cookie);
    },
  };
}
