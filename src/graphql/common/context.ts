import type { Logger } from 'pino';
import type { Authenticator, Viewer } from '../../auth/viewer.js';
import { createBindingReaders } from '../../bindings/binding-readers.js';
import type { BindingService, RequestBindings } from '../../bindings/binding-service.js';
import type { CatalogService, RequestCatalog } from '../../catalog/catalog-service.js';
import type { PolicyConfig } from '../../config/config.js';
import type { ExpressPlayClient } from '../../datasources/expressplay/types.js';
import type { EntitlementService, RequestEntitlements } from '../../entitlements/entitlement-service.js';
import type { EventHistory } from '../../events/event-history.js';
import { UnauthenticatedError } from '../../errors/app-error.js';
import type { RateLimiter } from '../../policy/rate-limiter.js';
import { createRequestUpstream, createUpstreamBudget } from '../../policy/upstream-budget.js';
import type { Store } from '../../store/types.js';
import type { WebhookService } from '../../webhooks/webhook-service.js';

/** What resolvers see. The per-request parts are new for every HTTP request and shared by the operations of a batch. */
export interface RequestContext {
  readonly viewer: Viewer | null;
  /** The binding flow for this request: its ExpressPlay calls are charged to the viewer's budget. */
  readonly bindings: RequestBindings;
  /** Purchases, rentals and license tokens for this request, over the same budget and bindings. */
  readonly entitlements: RequestEntitlements;
  /** The catalog, with the titles a response names read once per request, without their keys. */
  readonly catalog: RequestCatalog;
  /** The event history: the viewer's, a binding's or an entitlement's, and any user's for admins. */
  readonly events: EventHistory;
  /** Admins' webhook endpoints and deliveries. */
  readonly webhooks: WebhookService;
  readonly log: Logger;
  readonly requestId: string;
}

/** The long-lived collaborators a request context is made from (the app's Services record has them all). */
export interface ContextDeps {
  readonly authenticator: Authenticator;
  readonly store: Store;
  /** Shared and unbudgeted: each request gets its own budgeted client over it. */
  readonly expressplay: ExpressPlayClient;
  readonly rateLimiter: RateLimiter;
  readonly config: { readonly policy: Pick<PolicyConfig, 'upstreamCallsPerRequest' | 'upstreamCallsPerMinute'> };
  readonly bindings: BindingService;
  readonly entitlements: EntitlementService;
  readonly catalog: CatalogService;
  readonly events: EventHistory;
  readonly webhooks: WebhookService;
}

type RequestScope = Pick<RequestContext, 'bindings' | 'entitlements' | 'catalog'>;

export function createContextFunction(deps: ContextDeps) {
  // Apollo Server 5 calls the context function once per HTTP request and hands each operation of a batch a shallow
  // copy of it, so a batch shares one budget and one request scope. Keyed by the HTTP request all the same, so that
  // 10 batched operations can never get 10 budgets, whatever a future version does.
  const scopes = new WeakMap<object, RequestScope>();
  const { config, rateLimiter, store } = deps;

  return async (args: {
    authorization: string | undefined;
    requestId: string;
    /** The request's logger, asked for only when something is logged (a child logger per request costs). */
    log: () => Logger;
    /** The HTTP request this context serves: its identity keys the per-request budget and scope. */
    httpRequest: object;
  }): Promise<RequestContext> => {
    const viewer = await deps.authenticator.viewerFrom(args.authorization);
    // Made when a resolver first needs it: a request that never reaches the binding flow, the entitlements or the
    // catalog (introspection, a refused operation) builds no budget, loaders or scopes.
    const scopeOf = (): RequestScope => {
      const made = scopes.get(args.httpRequest);
      if (made !== undefined) return made;
      const budget = createUpstreamBudget({
        limiter: rateLimiter,
        userId: viewer?.userId ?? null,
        perRequest: config.policy.upstreamCallsPerRequest,
        perMinute: config.policy.upstreamCallsPerMinute,
      });
      const upstream = createRequestUpstream(deps.expressplay, budget);
      const bindings = deps.bindings.forRequest({ upstream, readers: createBindingReaders(upstream.client, store) });
      const scope = {
        bindings,
        entitlements: deps.entitlements.forRequest({ upstream, bindings }),
        catalog: deps.catalog.forRequest(),
      };
      scopes.set(args.httpRequest, scope);
      return scope;
    };
    return new LazyRequestContext(viewer, scopeOf, args.log, deps.events, deps.webhooks, args.requestId);
  };
}

/**
 * The context as a class: Apollo Server copies the context for each operation with Object.assign, which would call
 * getters of the object's own and so build every lazy part at once; getters on the prototype stay lazy in the copy.
 */
class LazyRequestContext implements RequestContext {
  constructor(
    readonly viewer: Viewer | null,
    private readonly scopeOf: () => RequestScope,
    private readonly logOf: () => Logger,
    readonly events: EventHistory,
    readonly webhooks: WebhookService,
    readonly requestId: string,
  ) {}

  get bindings(): RequestBindings {
    return this.scopeOf().bindings;
  }

  get entitlements(): RequestEntitlements {
    return this.scopeOf().entitlements;
  }

  get catalog(): RequestCatalog {
    return this.scopeOf().catalog;
  }

  get log(): Logger {
    return this.logOf();
  }
}

/** The signed-in viewer, or UNAUTHENTICATED. */
export function requireViewer(ctx: RequestContext): Viewer {
  if (ctx.viewer === null) throw new UnauthenticatedError();
  return ctx.viewer;
}
