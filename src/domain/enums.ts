/**
 * The closed sets of values the service stores and the GraphQL API exposes: one source for the store's types and
 * the GraphQL enums (graphql/common/enums.ts registers these objects as they are), so the two cannot drift and no value
 * needs a cast on its way from the database to a client. Keys are the GraphQL names, values what is stored.
 */

/** DRM systems, valued as ExpressPlay names them in its paths (`/hms/<drm>/token`) and as the store keeps them. */
export const DRM_SYSTEMS = { FAIRPLAY: 'fp', WIDEVINE: 'wv', PLAYREADY: 'pr' } as const;
export type DrmSystem = (typeof DRM_SYSTEMS)[keyof typeof DRM_SYSTEMS];

export const BINDING_STATUSES = { PENDING: 'PENDING', BOUND: 'BOUND', REVOKED: 'REVOKED', EXPIRED: 'EXPIRED' } as const;
export type BindingStatus = (typeof BINDING_STATUSES)[keyof typeof BINDING_STATUSES];

export const ENTITLEMENT_KINDS = { PURCHASE: 'PURCHASE', RENTAL: 'RENTAL' } as const;
export type EntitlementKind = (typeof ENTITLEMENT_KINDS)[keyof typeof ENTITLEMENT_KINDS];

/** What an event in a user's history records; stored as is. Stable: clients may switch on them. */
export const EVENT_TYPES = {
  BINDING_STARTED: 'BINDING_STARTED',
  BINDING_BOUND: 'BINDING_BOUND',
  BINDING_EXPIRED: 'BINDING_EXPIRED',
  BINDING_REVOKED: 'BINDING_REVOKED',
  BINDING_RENAMED: 'BINDING_RENAMED',
  COOLDOWN_WAIVED: 'COOLDOWN_WAIVED',
  DEVICE_LIMIT_REFUSED: 'DEVICE_LIMIT_REFUSED',
  PURCHASED: 'PURCHASED',
  RENTED: 'RENTED',
  ENTITLEMENT_REVOKED: 'ENTITLEMENT_REVOKED',
  TOKEN_ISSUED: 'TOKEN_ISSUED',
} as const;
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/**
 * Where a webhook delivery is: queued (PENDING), held by a worker's lease while it is sent (SENDING), answered with a
 * 2xx (DELIVERED), or given up on after the retry window (FAILED). Stored as is.
 */
export const WEBHOOK_DELIVERY_STATUSES = {
  PENDING: 'PENDING',
  SENDING: 'SENDING',
  DELIVERED: 'DELIVERED',
  FAILED: 'FAILED',
} as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[keyof typeof WEBHOOK_DELIVERY_STATUSES];

/** Why an attempt got no 2xx answer; none when the receiver answered (its status says how). Stored as is. */
export const WEBHOOK_ATTEMPT_ERRORS = {
  TIMEOUT: 'TIMEOUT',
  CONNECTION: 'CONNECTION',
  ADDRESS_REFUSED: 'ADDRESS_REFUSED',
  HTTP_STATUS: 'HTTP_STATUS',
} as const;
export type WebhookAttemptError = (typeof WEBHOOK_ATTEMPT_ERRORS)[keyof typeof WEBHOOK_ATTEMPT_ERRORS];

const DRM_VALUES: readonly string[] = Object.values(DRM_SYSTEMS);

/** For values read from outside (an ExpressPlay record): narrows without a cast. */
export function isDrmSystem(value: unknown): value is DrmSystem {
  return typeof value === 'string' && DRM_VALUES.includes(value);
}
