import { registerEnumType } from 'type-graphql';

/** Internal values are ExpressPlay's own DRM names, so resolvers hand them to the client library unchanged. */
export enum Drm {
  FAIRPLAY = 'fp',
  WIDEVINE = 'wv',
  PLAYREADY = 'pr',
}
registerEnumType(Drm, {
  name: 'Drm',
  description: 'The DRM system a license is issued for.',
  valuesConfig: {
    FAIRPLAY: { description: 'Apple FairPlay Streaming (HLS, skd:// key URIs).' },
    WIDEVINE: { description: 'Google Widevine.' },
    PLAYREADY: { description: 'Microsoft PlayReady.' },
  },
});

export enum BindingStatus {
  PENDING = 'PENDING',
  BOUND = 'BOUND',
  REVOKED = 'REVOKED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(BindingStatus, {
  name: 'BindingStatus',
  description: 'Where a device binding is in its life.',
  valuesConfig: {
    PENDING: { description: 'Created; waiting for the device to play the dummy stream.' },
    BOUND: { description: 'The device has played the dummy stream; its device id is known and licenses are bound to it.' },
    REVOKED: { description: 'Removed by its owner with unbindDevice.' },
    EXPIRED: { description: 'The dummy stream was not played before the binding expired.' },
  },
});

export enum EntitlementKind {
  PURCHASE = 'PURCHASE',
  RENTAL = 'RENTAL',
}
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
