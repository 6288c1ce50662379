import { CatalogResolver } from './catalog/catalog.resolver.js';
import { DeviceResolver } from './device/device.resolver.js';
import { EntitlementResolver } from './entitlement/entitlement.resolver.js';
import { EventResolver } from './event/event.resolver.js';
import { SupportResolver } from './support/support.resolver.js';
import { WebhookResolver } from './webhook/webhook.resolver.js';

export const resolvers = [
  DeviceResolver,
  EntitlementResolver,
  CatalogResolver,
  EventResolver,
  SupportResolver,
  WebhookResolver,
] as const;
