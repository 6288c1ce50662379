import type { Logger } from 'pino';
import type { Viewer } from '../auth/viewer.js';
import { UnauthenticatedError } from '../errors/app-error.js';
import { createRequestUpstream, createUpstreamBudget, type RequestUpstream } from '../policy/upstream-budget.js';
import { createLoaders, type Loaders } from '../server/loaders.js';
import type { Services } from '../services.js';

export interface RequestContext {
  readonly viewer: Viewer | null;
  /** New for every HTTP request. */
  readonly loaders: Loaders;
  /** ExpressPlay for this HTTP request: each call is charged to the viewer's budget first. New for every request. */
  readonly upstream: RequestUpstream;
  readonly services: Services;
  readonly log: Logger;
  readonly requestId: string;
}

interface RequestScope {
  readonly loaders: Loaders;
  readonly upstream: RequestUpstream;
}

export function createContextFunction(services: Services) {
  // Apollo Server 5 calls the context function once per HTTP request and hands each operation of a batch a shallow
  // copy of it, so a batch shares one budget and one loader cache. Keyed by the HTTP request all the same, so that
  // 10 batched operations can never get 10 budgets, whatever a future version does.
  const scopes = new WeakMap<object, RequestScope>();
  const { config, rateLimiter, store, bindings } = services;

  return async (args: {
    authorization: string | undefined;
    requestId: string;
    log: Logger;
    /** The HTTP request this context serves: its identity keys the per-request budget and loaders. */
    httpRequest: object;
  }): Promise<RequestContext> => {
    const viewer = await services.authenticator.viewerFrom(args.authorization);
    let scope = scopes.get(args.httpRequest);
    if (scope === undefined) {
      const budget = createUpstreamBudget({
        limiter: rateLimiter,
        userId: viewer?.userId ?? null,
        perRequest: config.policy.upstreamCallsPerRequest,
        perMinute: config.policy.upstreamCallsPerMinute,
      });
      const upstream = createRequestUpstream(services.expressplay, budget);
      scope = { upstream, loaders: createLoaders(upstream.client, store, bindings) };
      scopes.set(args.httpRequest, scope);
    }
    return { viewer, ...scope, services, log: args.log, requestId: args.requestId };
  };
}

/** The signed-in viewer, or UNAUTHENTICATED. */
export function requireViewer(ctx: RequestContext): Viewer {
  if (ctx.viewer === null) throw new UnauthenticatedError();
  return ctx.viewer;
}
