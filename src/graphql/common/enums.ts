import { registerEnumType } from 'type-graphql';
import {
  BINDING_STATUSES,
  DRM_SYSTEMS,
  ENTITLEMENT_KINDS,
  EVENT_TYPES,
  WEBHOOK_ATTEMPT_ERRORS,
  WEBHOOK_DELIVERY_STATUSES,
  type BindingStatus as BindingStatusValue,
  type DrmSystem,
  type EntitlementKind as EntitlementKindValue,
  type EventType as EventTypeValue,
  type WebhookAttemptError as WebhookAttemptErrorValue,
  type WebhookDeliveryStatus as WebhookDeliveryStatusValue,
} from '../../domain/enums.js';

// The domain's values under their GraphQL names: `Drm.FAIRPLAY` is the stored 'fp', with no cast either way.

/** Internal values are ExpressPlay's own DRM names, so resolvers hand them to the client library unchanged. */
export const Drm = DRM_SYSTEMS;
export type Drm = DrmSystem;
registerEnumType(Drm, {
  name: 'Drm',
  description: 'The DRM system a license is issued for.',
  valuesConfig: {
    FAIRPLAY: { description: 'Apple FairPlay Streaming (HLS, skd:// key URIs).' },
    WIDEVINE: { description: 'Google Widevine.' },
    PLAYREADY: { description: 'Microsoft PlayReady.' },
  },
});

export const BindingStatus = BINDING_STATUSES;
export type BindingStatus = BindingStatusValue;
registerEnumType(BindingStatus, {
  name: 'BindingStatus',
  description: 'Where a device binding is in its life.',
  valuesConfig: {
    PENDING: { description: 'Created; waiting for the device to play the dummy stream.' },
    BOUND: {
      description: 'The device has played the dummy stream; its device id is known and licenses are bound to it.',
    },
    REVOKED: { description: 'Removed by its owner with unbindDevice.' },
    EXPIRED: { description: 'The dummy stream was not played before the binding expired.' },
  },
});

export const EntitlementKind = ENTITLEMENT_KINDS;
export type EntitlementKind = EntitlementKindValue;
registerEnumType(EntitlementKind, {
  name: 'EntitlementKind',
  description: 'How the user holds the content.',
  valuesConfig: {
    PURCHASE: { description: 'Bought to own: no end date.' },
    RENTAL: { description: "Rented on the catalog's rental terms." },
  },
});

export enum EntitlementStatus {
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
}
registerEnumType(EntitlementStatus, {
  name: 'EntitlementStatus',
  description: 'Whether an entitlement still gets licenses.',
  valuesConfig: {
    ACTIVE: { description: 'A purchase, or a rental whose window has not ended: licenseToken issues licenses.' },
    EXPIRED: { description: 'A rental whose window has ended.' },
    REVOKED: { description: 'Revoked by the platform (refund, chargeback; see revokeReason): no new license.' },
  },
});

export const EventType = EVENT_TYPES;
export type EventType = EventTypeValue;
registerEnumType(EventType, {
  name: 'EventType',
  description: 'What an event in a history records. Stable: new types may be added, none is renamed.',
  valuesConfig: {
    BINDING_STARTED: { description: 'bindDevice created a PENDING binding.' },
    BINDING_BOUND: { description: 'The device played the dummy stream: deviceId and drm say which.' },
    BINDING_EXPIRED: { description: 'The dummy stream was not played in time; no actor (the service).' },
    BINDING_REVOKED: { description: 'The binding was removed, by its owner or by support (actor.admin, reason).' },
    BINDING_RENAMED: { description: 'The binding got a new name (name).' },
    COOLDOWN_WAIVED: { description: 'Support waived the swap cool-down of an already removed binding (reason).' },
    DEVICE_LIMIT_REFUSED: {
      description: 'bindDevice was refused: too many devices, or one removed too recently (reason).',
    },
    PURCHASED: { description: 'A title was bought.' },
    RENTED: { description: 'A title was rented.' },
    ENTITLEMENT_REVOKED: { description: 'Support revoked an entitlement (reason).' },
    TOKEN_ISSUED: { description: 'A license token was issued for a binding (drm, offline); never the token itself.' },
  },
});

export const WebhookDeliveryStatus = WEBHOOK_DELIVERY_STATUSES;
export type WebhookDeliveryStatus = WebhookDeliveryStatusValue;
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a webhook delivery is.',
  valuesConfig: {
    PENDING: { description: 'Queued: the next attempt is due at nextAttemptAt.' },
    SENDING: { description: 'A worker is sending it; if that worker dies, it is sent again once its lease ends.' },
    DELIVERED: { description: 'The receiver answered 2xx.' },
    FAILED: { description: 'No 2xx within the retry window; replayWebhookDelivery sends it again.' },
  },
});

export const WebhookAttemptError = WEBHOOK_ATTEMPT_ERRORS;
export type WebhookAttemptError = WebhookAttemptErrorValue;
registerEnumType(WebhookAttemptError, {
  name: 'WebhookAttemptError',
  description: 'Why a webhook attempt failed.',
  valuesConfig: {
    TIMEOUT: { description: 'No complete answer within WEBHOOK_TIMEOUT_MS.' },
    CONNECTION: { description: 'The connection failed (refused, reset, DNS, TLS).' },
    ADDRESS_REFUSED: {
      description: 'The host resolved to a loopback or private address when sent (WEBHOOK_ALLOW_PRIVATE_URLS).',
    },
    HTTP_STATUS: { description: 'The receiver answered, but not 2xx (redirects are not followed): see statusCode.' },
  },
});
