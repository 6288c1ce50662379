/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Starts binding a device. */
export type BindDeviceInput = {
  /** The device's DRM system. */
  drm?: Drm;
  /** An optional label for the device, at most 64 characters. */
  name?: string | null | undefined;
};

/** Where a device binding is in its life. */
export type BindingStatus =
  /** The device has played the dummy stream; its device id is known and licenses are bound to it. */
  | 'BOUND'
  /** The dummy stream was not played before the binding expired. */
  | 'EXPIRED'
  /** Created; waiting for the device to play the dummy stream. */
  | 'PENDING'
  /** Removed by its owner with unbindDevice. */
  | 'REVOKED';

/** The DRM system a license is issued for. */
export type Drm =
  /** Apple FairPlay Streaming (HLS, skd:// key URIs). */
  | 'FAIRPLAY'
  /** Microsoft PlayReady. */
  | 'PLAYREADY'
  /** Google Widevine. */
  | 'WIDEVINE';

/** How the user holds the content. */
export type EntitlementKind =
  /** Bought to own: no end date. */
  | 'PURCHASE'
  /** Rented on the catalog's rental terms. */
  | 'RENTAL';

/** Whether an entitlement still gets licenses. */
export type EntitlementStatus =
  /** A purchase, or a rental whose window has not ended: licenseToken issues licenses. */
  | 'ACTIVE'
  /** A rental whose window has ended. */
  | 'EXPIRED'
  /** Revoked by the platform (refund, chargeback; see revokeReason): no new license. */
  | 'REVOKED';

/** Buys a title to own. */
export type PurchaseInput = {
  /** A BOUND device binding of yours; the license works only on that device. */
  bindingId: string | number;
  /** The title to buy or rent. */
  contentId: string | number;
  /** The DRM system to issue the license for. */
  drm?: Drm;
  /** A key you make per purchase (a UUID is ideal), 8-128 printable characters. Sending it again returns the same entitlement instead of a second one, so retry freely after a timeout. */
  idempotencyKey: string;
  /** Ask for a persistent license the device may store and play offline. Only for titles whose offlineAllowed is true, and not for FAIRPLAY (ExpressPlay issues none); OFFLINE_NOT_ALLOWED otherwise. */
  offline?: boolean;
};

/** Rents a title on the catalog's rental terms. */
export type RentInput = {
  /** A BOUND device binding of yours; the license works only on that device. */
  bindingId: string | number;
  /** The title to buy or rent. */
  contentId: string | number;
  /** The DRM system to issue the license for. */
  drm?: Drm;
  /** A key you make per purchase (a UUID is ideal), 8-128 printable characters. Sending it again returns the same entitlement instead of a second one, so retry freely after a timeout. */
  idempotencyKey: string;
  /** Ask for a persistent license the device may store and play offline. Only for titles whose offlineAllowed is true, and not for FAIRPLAY (ExpressPlay issues none); OFFLINE_NOT_ALLOWED otherwise. */
  offline?: boolean;
};

export type BindDeviceMutationVariables = Exact<{
  input: BindDeviceInput;
}>;


export type BindDeviceMutation = { __typename: 'Mutation', bindDevice: { __typename: 'BindDevicePayload', contentUrl: string, licenseUrl: string, binding: { __typename: 'DeviceBinding', id: string, name: string | null, drm: Drm, status: BindingStatus, deviceId: string | null, createdAt: string, expiresAt: string | null, boundAt: string | null, revokedAt: string | null } } };

export type ContentsQueryVariables = Exact<{ [key: string]: never; }>;


export type ContentsQuery = { __typename: 'Query', contents: Array<{ __typename: 'Content', id: string, title: string, keyId: string, fairPlayReady: boolean, offlineAllowed: boolean, rental: { __typename: 'RentalTerms', periodSeconds: number, playSeconds: number } }> };

export type DeviceBindingQueryVariables = Exact<{
  id: string | number;
}>;


export type DeviceBindingQuery = { __typename: 'Query', deviceBinding: { __typename: 'DeviceBinding', id: string, name: string | null, drm: Drm, status: BindingStatus, deviceId: string | null, createdAt: string, expiresAt: string | null, boundAt: string | null, revokedAt: string | null } };

export type DeviceBindingsQueryVariables = Exact<{ [key: string]: never; }>;


export type DeviceBindingsQuery = { __typename: 'Query', deviceBindings: Array<{ __typename: 'DeviceBinding', id: string, name: string | null, drm: Drm, status: BindingStatus, deviceId: string | null, createdAt: string, expiresAt: string | null, boundAt: string | null, revokedAt: string | null }> };

export type EntitlementsQueryVariables = Exact<{ [key: string]: never; }>;


export type EntitlementsQuery = { __typename: 'Query', entitlements: Array<{ __typename: 'Entitlement', id: string, kind: EntitlementKind, contentId: string, bindingId: string, createdAt: string, expiresAt: string | null, playSeconds: number | null, status: EntitlementStatus, revokedAt: string | null, revokeReason: string | null, content: { __typename: 'Content', id: string, title: string } }> };

export type LicenseTokenQueryVariables = Exact<{
  contentId: string | number;
  bindingId: string | number;
  drm?: Drm;
  offline?: boolean;
}>;


export type LicenseTokenQuery = { __typename: 'Query', licenseToken: { __typename: 'LicenseTokenPayload', licenseUrl: string, entitlement: { __typename: 'Entitlement', id: string, kind: EntitlementKind, contentId: string, bindingId: string, createdAt: string, expiresAt: string | null, playSeconds: number | null, status: EntitlementStatus, revokedAt: string | null, revokeReason: string | null } } };

export type PurchaseMutationVariables = Exact<{
  input: PurchaseInput;
}>;


export type PurchaseMutation = { __typename: 'Mutation', purchase: { __typename: 'PurchasePayload', licenseUrl: string, entitlement: { __typename: 'Entitlement', id: string, kind: EntitlementKind, contentId: string, bindingId: string, createdAt: string, expiresAt: string | null, playSeconds: number | null, status: EntitlementStatus, revokedAt: string | null, revokeReason: string | null } } };

export type RentMutationVariables = Exact<{
  input: RentInput;
}>;


export type RentMutation = { __typename: 'Mutation', rent: { __typename: 'RentPayload', licenseUrl: string, entitlement: { __typename: 'Entitlement', id: string, kind: EntitlementKind, contentId: string, bindingId: string, createdAt: string, expiresAt: string | null, playSeconds: number | null, status: EntitlementStatus, revokedAt: string | null, revokeReason: string | null } } };

export type UnbindDeviceMutationVariables = Exact<{
  id: string | number;
}>;


export type UnbindDeviceMutation = { __typename: 'Mutation', unbindDevice: { __typename: 'DeviceBinding', id: string, name: string | null, drm: Drm, status: BindingStatus, deviceId: string | null, createdAt: string, expiresAt: string | null, boundAt: string | null, revokedAt: string | null } };

export type ContentFieldsFragment = { __typename: 'Content', id: string, title: string, keyId: string, fairPlayReady: boolean, offlineAllowed: boolean, rental: { __typename: 'RentalTerms', periodSeconds: number, playSeconds: number } };

export type DeviceBindingFieldsFragment = { __typename: 'DeviceBinding', id: string, name: string | null, drm: Drm, status: BindingStatus, deviceId: string | null, createdAt: string, expiresAt: string | null, boundAt: string | null, revokedAt: string | null };

export type EntitlementFieldsFragment = { __typename: 'Entitlement', id: string, kind: EntitlementKind, contentId: string, bindingId: string, createdAt: string, expiresAt: string | null, playSeconds: number | null, status: EntitlementStatus, revokedAt: string | null, revokeReason: string | null };

export const ContentFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ContentFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Content"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"keyId"}},{"kind":"Field","name":{"kind":"Name","value":"fairPlayReady"}},{"kind":"Field","name":{"kind":"Name","value":"offlineAllowed"}},{"kind":"Field","name":{"kind":"Name","value":"rental"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"periodSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}}]}}]}}]} as unknown as DocumentNode<ContentFieldsFragment, unknown>;
export const DeviceBindingFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeviceBindingFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeviceBinding"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"drm"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"boundAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<DeviceBindingFieldsFragment, unknown>;
export const EntitlementFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EntitlementFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Entitlement"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"contentId"}},{"kind":"Field","name":{"kind":"Name","value":"bindingId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}}]}}]} as unknown as DocumentNode<EntitlementFieldsFragment, unknown>;
export const BindDeviceDocument = {"__meta__":{"hash":"sha256:ad7a53dbab033e223c39b862f60fa1315c80584eb81e4a5745a4d07e52f20411"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"BindDevice"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"BindDeviceInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"bindDevice"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"binding"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"DeviceBindingFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"contentUrl"}},{"kind":"Field","name":{"kind":"Name","value":"licenseUrl"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeviceBindingFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeviceBinding"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"drm"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"boundAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<BindDeviceMutation, BindDeviceMutationVariables>;
export const ContentsDocument = {"__meta__":{"hash":"sha256:3c3d2268a386723c80743beeb46cbde3758ba205b789c77f3154014345d3cd18"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Contents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"contents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"ContentFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ContentFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Content"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"keyId"}},{"kind":"Field","name":{"kind":"Name","value":"fairPlayReady"}},{"kind":"Field","name":{"kind":"Name","value":"offlineAllowed"}},{"kind":"Field","name":{"kind":"Name","value":"rental"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"periodSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}}]}}]}}]} as unknown as DocumentNode<ContentsQuery, ContentsQueryVariables>;
export const DeviceBindingDocument = {"__meta__":{"hash":"sha256:ee1d8f1744a3d7a5ad4511b85006c2152a0e6257a9bbeab90323493567f51796"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DeviceBinding"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"deviceBinding"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"DeviceBindingFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeviceBindingFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeviceBinding"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"drm"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"boundAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<DeviceBindingQuery, DeviceBindingQueryVariables>;
export const DeviceBindingsDocument = {"__meta__":{"hash":"sha256:7b20772c552d64ecb0d8020dde59b09a1baf28742249f0fea036c3434eaa6302"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DeviceBindings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"deviceBindings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"DeviceBindingFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeviceBindingFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeviceBinding"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"drm"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"boundAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<DeviceBindingsQuery, DeviceBindingsQueryVariables>;
export const EntitlementsDocument = {"__meta__":{"hash":"sha256:a3e44c0adad8ac0c6f84f278c372ac802ea638f043fa44f55cb2bf1efeba20e5"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Entitlements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"entitlements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"EntitlementFields"}},{"kind":"Field","name":{"kind":"Name","value":"content"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EntitlementFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Entitlement"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"contentId"}},{"kind":"Field","name":{"kind":"Name","value":"bindingId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}}]}}]} as unknown as DocumentNode<EntitlementsQuery, EntitlementsQueryVariables>;
export const LicenseTokenDocument = {"__meta__":{"hash":"sha256:99380107aeb4b71a75772f683acb1600407a486c422132beb446974df80b7511"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LicenseToken"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"contentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"bindingId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"drm"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Drm"}}},"defaultValue":{"kind":"EnumValue","value":"FAIRPLAY"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"offline"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}},"defaultValue":{"kind":"BooleanValue","value":false}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"licenseToken"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"contentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"contentId"}}},{"kind":"Argument","name":{"kind":"Name","value":"bindingId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"bindingId"}}},{"kind":"Argument","name":{"kind":"Name","value":"drm"},"value":{"kind":"Variable","name":{"kind":"Name","value":"drm"}}},{"kind":"Argument","name":{"kind":"Name","value":"offline"},"value":{"kind":"Variable","name":{"kind":"Name","value":"offline"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"entitlement"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"EntitlementFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"licenseUrl"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EntitlementFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Entitlement"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"contentId"}},{"kind":"Field","name":{"kind":"Name","value":"bindingId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}}]}}]} as unknown as DocumentNode<LicenseTokenQuery, LicenseTokenQueryVariables>;
export const PurchaseDocument = {"__meta__":{"hash":"sha256:e438c3cfbc127ca3ad7790e6ec72ef1f5c7de8c58d78db69b0c1e58f15f39d4c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Purchase"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PurchaseInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"purchase"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"entitlement"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"EntitlementFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"licenseUrl"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EntitlementFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Entitlement"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"contentId"}},{"kind":"Field","name":{"kind":"Name","value":"bindingId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}}]}}]} as unknown as DocumentNode<PurchaseMutation, PurchaseMutationVariables>;
export const RentDocument = {"__meta__":{"hash":"sha256:320f261177ccc279112f365927528e320650543f5227531c469cc6acb545030c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Rent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"rent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"entitlement"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"EntitlementFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"licenseUrl"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EntitlementFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Entitlement"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"contentId"}},{"kind":"Field","name":{"kind":"Name","value":"bindingId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}}]}}]} as unknown as DocumentNode<RentMutation, RentMutationVariables>;
export const UnbindDeviceDocument = {"__meta__":{"hash":"sha256:26f15e8d6b2970f5befeac5c33e46addcfee92672eac273fd11837af491f900f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UnbindDevice"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"unbindDevice"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"DeviceBindingFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeviceBindingFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeviceBinding"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"drm"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"boundAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<UnbindDeviceMutation, UnbindDeviceMutationVariables>;