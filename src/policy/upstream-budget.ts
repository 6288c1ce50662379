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
  /**
   * Takes one unit of the request's budget now, for an operation that will ask ExpressPlay for a token, before it
   * does any other work: past the budget, the operation costs nothing, not even its database reads.
   */
  reserve(): void;
  /** Counts one call to ExpressPlay against the request and the minute; throws RATE_LIMITED past either. */
  charge(): Promise<void>;
  /** Counts one call against the minute only, for a call whose request unit was reserved. */
  chargeMinute(): Promise<void>;
}

export interface UpstreamBudgetOptions {
  readonly limiter: RateLimiter;
  /** Null for an anonymous request, which may make no call. */
  readonly userId: string | null;
  readonly perRequest: number;
  readonly perMinute: number;
}

/** One per HTTP request: the per-request count lives in it. */
export function createUpstreamBudget({
  limiter,
  userId,
  perRequest,
  perMinute,
}: UpstreamBudgetOptions): UpstreamBudget {
  let used = 0;
  // Counted before anything is awaited, so that parallel fields of one request cannot all pass the check.
  const reserve = (): void => {
    if (userId === null) throw new UnauthenticatedError();
    if (used >= perRequest) {
      throw new UpstreamBudgetExceededError(
        `This request needs more than ${perRequest} calls to the DRM license service (license tokens, device ` +
          'bindings and device status checks), the most one request may make. Send the rest in another request.',
        1,
      );
    }
    used += 1;
  };
  const chargeMinute = async (): Promise<void> => {
    if (userId === null) throw new UnauthenticatedError();
    const retryAfterSeconds = await limiter.hit(userId, 'upstream');
    if (retryAfterSeconds !== null) {
      throw new UpstreamBudgetExceededError(
        `You have made ${perMinute} calls to the DRM license service (license tokens, device bindings and device ` +
          `status checks) this minute, the most allowed. Try again in ${retryAfterSeconds} seconds.`,
        retryAfterSeconds,
      );
    }
  };
  return {
    reserve,
    chargeMinute,
    async charge() {
      reserve();
      await chargeMinute();
    },
  };
}

/**
 * A client whose every call is charged to the budget first, and not made when the budget is spent. `prepaidTokens`
 * token requests have their request unit reserved already (UpstreamBudget.reserve) and are charged to the minute only.
 */
export function withUpstreamBudget(
  client: ExpressPlayClient,
  budget: UpstreamBudget,
  prepaidTokens = 0,
): ExpressPlayClient {
  let prepaid = prepaidTokens;
  return {
    async requestToken(request) {
      if (prepaid > 0) {
        prepaid -= 1;
        await budget.chargeMinute();
      } else {
        await budget.charge();
      }
      return client.requestToken(request);
    },
    async recordsByCookie(cookie) {
      await budget.charge();
      return client.recordsByCookie(cookie);
    },
  };
}

/** What a request's resolvers reach ExpressPlay through (graphql/common/context.ts). */
export interface RequestUpstream {
  /** Charges each call as it is made: for record retrievals, which the request's loaders make once per cookie. */
  readonly client: ExpressPlayClient;
  /**
   * For an operation that asks for one token (bindDevice, purchase, rent, licenseToken): reserves its request unit
   * at once, or throws RATE_LIMITED, and returns the client the operation must use.
   */
  forTokenOperation(): ExpressPlayClient;
}

export function createRequestUpstream(client: ExpressPlayClient, budget: UpstreamBudget): RequestUpstream {
  return {
    client: withUpstreamBudget(client, budget),
    forTokenOperation() {
      budget.reserve();
      return withUpstreamBudget(client, budget, 1);
    },
  };
}
