import type { Logger } from 'pino';
import type { Authenticator } from './auth/viewer.js';
import { BindingService } from './bindings/binding-service.js';
import { CatalogService } from './catalog/catalog-service.js';
import type { Config } from './config/config.js';
import type { ExpressPlayClient } from './datasources/expressplay/types.js';
import { EntitlementService } from './entitlements/entitlement-service.js';
import { EventHistory } from './events/event-history.js';
import type { Metrics } from './observability/metrics.js';
import { createRateLimiter, type RateLimiter } from './policy/rate-limiter.js';
import type { Store } from './store/types.js';
import { WebhookService } from './webhooks/webhook-service.js';

/** Long-lived collaborators, built once in createApp and shared by every request. Resolvers never mutate them. */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly store: Store;
  /** Shared and unbudgeted: each request uses its own budgeted client over it (graphql/common/context.ts). */
  readonly expressplay: ExpressPlayClient;
  readonly rateLimiter: RateLimiter;
  readonly authenticator: Authenticator;
  readonly bindings: BindingService;
  readonly entitlements: EntitlementService;
  readonly catalog: CatalogService;
  readonly events: EventHistory;
  readonly webhooks: WebhookService;
}

export type DomainServices = Pick<
  Services,
  'rateLimiter' | 'bindings' | 'entitlements' | 'catalog' | 'events' | 'webhooks'
>;

/**
 * The domain services over one store, wired as the app runs them: the app adds the transport around them, and the
 * service-tier tests use them as they are, so both test and run the same wiring.
 */
export function createDomainServices(deps: {
  readonly config: Pick<Config, 'policy' | 'expressplay' | 'webhooks' | 'cache'>;
  readonly store: Store;
  /** How clients reach the service (the dummy stream's URL). */
  readonly publicUrl: string;
  readonly now: () => Date;
  readonly logger?: Pick<Logger, 'info'>;
}): DomainServices {
  const { config, store, publicUrl, now, logger } = deps;
  const { mutationsPerMinute, upstreamCallsPerMinute } = config.policy;
  const rateLimiter = createRateLimiter({
    store,
    perMinute: {
      bindDevice: mutationsPerMinute,
      purchase: mutationsPerMinute,
      rent: mutationsPerMinute,
      upstream: upstreamCallsPerMinute,
    },
    now,
  });
  const catalog = new CatalogService({
    store,
    now,
    cache: { maxEntries: config.cache.catalog, ttlMs: config.cache.ttlMs },
  });
  return {
    rateLimiter,
    catalog,
    bindings: new BindingService({
      store,
      rateLimiter,
      policy: config.policy,
      publicUrl,
      now,
      cache: { maxEntries: config.cache.bindings, ttlMs: config.cache.ttlMs },
    }),
    entitlements: new EntitlementService({
      store,
      catalog,
      rateLimiter,
      now,
      tokenTtlSeconds: config.expressplay.tokenTtlSeconds,
    }),
    events: new EventHistory({ store }),
    webhooks: new WebhookService({ store, now, allowPrivateUrls: config.webhooks.allowPrivateUrls, logger }),
  };
}
