import type { Logger } from 'pino';
import type { Authenticator } from './auth/viewer.js';
import type { BindingService } from './bindings/binding-service.js';
import type { CatalogService } from './catalog/catalog-service.js';
import type { Config } from './config/config.js';
import type { ExpressPlayClient } from './datasources/expressplay/types.js';
import type { EntitlementService } from './entitlements/entitlement-service.js';
import type { EventHistory } from './events/event-history.js';
import type { Metrics } from './observability/metrics.js';
import type { RateLimiter } from './policy/rate-limiter.js';
import type { Store } from './store/types.js';

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
}
