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
};

export type BindDeviceMutationVariables = Exact<{
  input: BindDeviceInput;
}>;


export type BindDeviceMutation = { bindDevice: { contentUrl: string, licenseUrl: string, binding: { id: string, name: string | null, drm: Drm, status: BindingStatus, deviceId: string | null, createdAt: string, expiresAt: string | null, boundAt: string | null, revokedAt: string | null } } };

export type ContentsQueryVariables = Exact<{ [key: string]: never; }>;


export type ContentsQuery = { contents: Array<{ id: string, title: string, keyId: string, fairPlayReady: boolean, rental: { periodSeconds: number, playSeconds: number } }> };

export type DeviceBindingQueryVariables = Exact<{
  id: string | number;
}>;


export type DeviceBindingQuery = { deviceBinding: { id: string, name: string | null, drm: Drm, status: BindingStatus, deviceId: string | null, createdAt: string, expiresAt: string | null, boundAt: string | null, revokedAt: string | null } };

export type DeviceBindingsQueryVariables = Exact<{ [key: string]: never; }>;


export type DeviceBindingsQuery = { deviceBindings: Array<{ id: string, name: string | null, drm: Drm, status: BindingStatus, deviceId: string | null, createdAt: string, expiresAt: string | null, boundAt: string | null, revokedAt: string | null }> };

export type EntitlementsQueryVariables = Exact<{ [key: string]: never; }>;


export type EntitlementsQuery = { entitlements: Array<{ id: string, kind: EntitlementKind, contentId: string, bindingId: string, createdAt: string, expiresAt: string | null, playSeconds: number | null, content: { id: string, title: string } }> };

export type LicenseTokenQueryVariables = Exact<{
  contentId: string | number;
  bindingId: string | number;
  drm?: Drm;
}>;


export type LicenseTokenQuery = { licenseToken: { licenseUrl: string, entitlement: { id: string, kind: EntitlementKind, contentId: string, bindingId: string, createdAt: string, expiresAt: string | null, playSeconds: number | null } } };

export type PurchaseMutationVariables = Exact<{
  input: PurchaseInput;
}>;


export type PurchaseMutation = { purchase: { licenseUrl: string, entitlement: { id: string, kind: EntitlementKind, contentId: string, bindingId: string, createdAt: string, expiresAt: string | null, playSeconds: number | null } } };

export type RentMutationVariables = Exact<{
  input: RentInput;
}>;


export type RentMutation = { rent: { licenseUrl: string, entitlement: { id: string, kind: EntitlementKind, contentId: string, bindingId: string, createdAt: string, expiresAt: string | null, playSeconds: number | null } } };

export type UnbindDeviceMutationVariables = Exact<{
  id: string | number;
}>;


export type UnbindDeviceMutation = { unbindDevice: { id: string, name: string | null, drm: Drm, status: BindingStatus, deviceId: string | null, createdAt: string, expiresAt: string | null, boundAt: string | null, revokedAt: string | null } };

export type ContentFieldsFragment = { id: string, title: string, keyId: string, fairPlayReady: boolean, rental: { periodSeconds: number, playSeconds: number } };

export type DeviceBindingFieldsFragment = { id: string, name: string | null, drm: Drm, status: BindingStatus, deviceId: string | null, createdAt: string, expiresAt: string | null, boundAt: string | null, revokedAt: string | null };

export type EntitlementFieldsFragment = { id: string, kind: EntitlementKind, contentId: string, bindingId: string, createdAt: string, expiresAt: string | null, playSeconds: number | null };

export const ContentFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ContentFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Content"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"keyId"}},{"kind":"Field","name":{"kind":"Name","value":"fairPlayReady"}},{"kind":"Field","name":{"kind":"Name","value":"rental"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"periodSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}}]}}]}}]} as unknown as DocumentNode<ContentFieldsFragment, unknown>;
export const DeviceBindingFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeviceBindingFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeviceBinding"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"drm"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"boundAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<DeviceBindingFieldsFragment, unknown>;
export const EntitlementFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EntitlementFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Entitlement"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"contentId"}},{"kind":"Field","name":{"kind":"Name","value":"bindingId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}}]}}]} as unknown as DocumentNode<EntitlementFieldsFragment, unknown>;
export const BindDeviceDocument = {"__meta__":{"hash":"sha256:e86410f3a32358a92a139cb5c53b7f6cee758b31440d90ffb8fb5ed790361a75"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"BindDevice"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"BindDeviceInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bindDevice"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"binding"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DeviceBindingFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"contentUrl"}},{"kind":"Field","name":{"kind":"Name","value":"licenseUrl"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeviceBindingFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeviceBinding"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"drm"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"boundAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<BindDeviceMutation, BindDeviceMutationVariables>;
export const ContentsDocument = {"__meta__":{"hash":"sha256:029f76a73380f3d3280a0beb8c2bb5974ba724286641a97bf169b160e3fcfddb"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Contents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"contents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ContentFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ContentFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Content"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"keyId"}},{"kind":"Field","name":{"kind":"Name","value":"fairPlayReady"}},{"kind":"Field","name":{"kind":"Name","value":"rental"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"periodSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}}]}}]}}]} as unknown as DocumentNode<ContentsQuery, ContentsQueryVariables>;
export const DeviceBindingDocument = {"__meta__":{"hash":"sha256:3475d11b7ddb527d3183083135e69c373a7ffb522c30b6f7670bb9e9b73a83f7"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DeviceBinding"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deviceBinding"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DeviceBindingFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeviceBindingFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeviceBinding"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"drm"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"boundAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<DeviceBindingQuery, DeviceBindingQueryVariables>;
export const DeviceBindingsDocument = {"__meta__":{"hash":"sha256:4dd1f1c09056246145bba6875eb13fd98a26a74223db3bb99630cd41c811db7e"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DeviceBindings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deviceBindings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DeviceBindingFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeviceBindingFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeviceBinding"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"drm"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"boundAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<DeviceBindingsQuery, DeviceBindingsQueryVariables>;
export const EntitlementsDocument = {"__meta__":{"hash":"sha256:31b35e30357253820984d3a695f0a96c46fdd1f89c0597caa1b689dfcbfeac03"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Entitlements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"entitlements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"EntitlementFields"}},{"kind":"Field","name":{"kind":"Name","value":"content"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EntitlementFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Entitlement"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"contentId"}},{"kind":"Field","name":{"kind":"Name","value":"bindingId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}}]}}]} as unknown as DocumentNode<EntitlementsQuery, EntitlementsQueryVariables>;
export const LicenseTokenDocument = {"__meta__":{"hash":"sha256:238d748c1cffe22bcbf64bee5cb692f6b1d4df38bda07f50b41e5a211bb7738c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LicenseToken"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"contentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"bindingId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"drm"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Drm"}}},"defaultValue":{"kind":"EnumValue","value":"FAIRPLAY"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"licenseToken"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"contentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"contentId"}}},{"kind":"Argument","name":{"kind":"Name","value":"bindingId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"bindingId"}}},{"kind":"Argument","name":{"kind":"Name","value":"drm"},"value":{"kind":"Variable","name":{"kind":"Name","value":"drm"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"entitlement"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"EntitlementFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"licenseUrl"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EntitlementFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Entitlement"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"contentId"}},{"kind":"Field","name":{"kind":"Name","value":"bindingId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}}]}}]} as unknown as DocumentNode<LicenseTokenQuery, LicenseTokenQueryVariables>;
export const PurchaseDocument = {"__meta__":{"hash":"sha256:4d22346509267b0e5c6facd23d24b089bd6049a6e90fb5b2d24cef65e58b1696"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Purchase"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PurchaseInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"purchase"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"entitlement"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"EntitlementFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"licenseUrl"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EntitlementFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Entitlement"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"contentId"}},{"kind":"Field","name":{"kind":"Name","value":"bindingId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}}]}}]} as unknown as DocumentNode<PurchaseMutation, PurchaseMutationVariables>;
export const RentDocument = {"__meta__":{"hash":"sha256:b69c333fba17cfb36628cea33f68b591cc0bf804a6e70028685c1cc1bf69e932"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Rent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"entitlement"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"EntitlementFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"licenseUrl"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EntitlementFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Entitlement"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"contentId"}},{"kind":"Field","name":{"kind":"Name","value":"bindingId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"playSeconds"}}]}}]} as unknown as DocumentNode<RentMutation, RentMutationVariables>;
export const UnbindDeviceDocument = {"__meta__":{"hash":"sha256:815712c4b8edb27877853d7aaad0cbe6760722a7465ceaf4d4a54432bf44d4fb"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UnbindDevice"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"unbindDevice"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DeviceBindingFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DeviceBindingFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeviceBinding"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"drm"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"boundAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<UnbindDeviceMutation, UnbindDeviceMutationVariables>;