import { CatalogResolver } from './catalog/catalog.resolver.js';
import { DeviceResolver } from './device/device.resolver.js';
import { EntitlementResolver } from './entitlement/entitlement.resolver.js';

export const resolvers = [DeviceResolver, EntitlementResolver, CatalogResolver] as const;
