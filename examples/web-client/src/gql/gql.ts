/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation BindDevice($input: BindDeviceInput!) {\n  bindDevice(input: $input) {\n    binding {\n      ...DeviceBindingFields\n    }\n    contentUrl\n    licenseUrl\n  }\n}": typeof types.BindDeviceDocument,
    "query Contents($first: Int! = 20, $after: String) {\n  contents(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...ContentFields\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}": typeof types.ContentsDocument,
    "query DeviceBinding($id: ID!) {\n  deviceBinding(id: $id) {\n    ...DeviceBindingFields\n  }\n}": typeof types.DeviceBindingDocument,
    "query DeviceBindings($first: Int! = 20, $after: String) {\n  deviceBindings(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...DeviceBindingFields\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}": typeof types.DeviceBindingsDocument,
    "query Entitlements($first: Int! = 20, $after: String) {\n  entitlements(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...EntitlementFields\n        content {\n          id\n          title\n        }\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}": typeof types.EntitlementsDocument,
    "query LicenseToken($contentId: ID!, $bindingId: ID!, $drm: Drm! = FAIRPLAY, $offline: Boolean! = false) {\n  licenseToken(\n    contentId: $contentId\n    bindingId: $bindingId\n    drm: $drm\n    offline: $offline\n  ) {\n    entitlement {\n      ...EntitlementFields\n    }\n    licenseUrl\n  }\n}": typeof types.LicenseTokenDocument,
    "query MyEvents($first: Int! = 20, $after: String) {\n  myEvents(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        type\n        at\n        actor {\n          id\n          admin\n        }\n        bindingId\n        entitlementId\n        contentId\n        deviceId\n        drm\n        offline\n        reason\n        name\n        cooldownWaived\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}": typeof types.MyEventsDocument,
    "mutation Purchase($input: PurchaseInput!) {\n  purchase(input: $input) {\n    entitlement {\n      ...EntitlementFields\n    }\n    licenseUrl\n  }\n}": typeof types.PurchaseDocument,
    "mutation Rent($input: RentInput!) {\n  rent(input: $input) {\n    entitlement {\n      ...EntitlementFields\n    }\n    licenseUrl\n  }\n}": typeof types.RentDocument,
    "mutation UnbindDevice($id: ID!) {\n  unbindDevice(id: $id) {\n    ...DeviceBindingFields\n  }\n}": typeof types.UnbindDeviceDocument,
    "fragment ContentFields on Content {\n  id\n  title\n  keyId\n  fairPlayReady\n  offlineAllowed\n  rental {\n    periodSeconds\n    playSeconds\n  }\n}\n\nfragment DeviceBindingFields on DeviceBinding {\n  id\n  name\n  drm\n  status\n  deviceId\n  createdAt\n  expiresAt\n  boundAt\n  revokedAt\n}\n\nfragment EntitlementFields on Entitlement {\n  id\n  kind\n  contentId\n  bindingId\n  createdAt\n  expiresAt\n  playSeconds\n  status\n  revokedAt\n  revokeReason\n}\n\nfragment PageInfoFields on PageInfo {\n  hasNextPage\n  endCursor\n}": typeof types.ContentFieldsFragmentDoc,
};
const documents: Documents = {
    "mutation BindDevice($input: BindDeviceInput!) {\n  bindDevice(input: $input) {\n    binding {\n      ...DeviceBindingFields\n    }\n    contentUrl\n    licenseUrl\n  }\n}": types.BindDeviceDocument,
    "query Contents($first: Int! = 20, $after: String) {\n  contents(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...ContentFields\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}": types.ContentsDocument,
    "query DeviceBinding($id: ID!) {\n  deviceBinding(id: $id) {\n    ...DeviceBindingFields\n  }\n}": types.DeviceBindingDocument,
    "query DeviceBindings($first: Int! = 20, $after: String) {\n  deviceBindings(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...DeviceBindingFields\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}": types.DeviceBindingsDocument,
    "query Entitlements($first: Int! = 20, $after: String) {\n  entitlements(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...EntitlementFields\n        content {\n          id\n          title\n        }\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}": types.EntitlementsDocument,
    "query LicenseToken($contentId: ID!, $bindingId: ID!, $drm: Drm! = FAIRPLAY, $offline: Boolean! = false) {\n  licenseToken(\n    contentId: $contentId\n    bindingId: $bindingId\n    drm: $drm\n    offline: $offline\n  ) {\n    entitlement {\n      ...EntitlementFields\n    }\n    licenseUrl\n  }\n}": types.LicenseTokenDocument,
    "query MyEvents($first: Int! = 20, $after: String) {\n  myEvents(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        type\n        at\n        actor {\n          id\n          admin\n        }\n        bindingId\n        entitlementId\n        contentId\n        deviceId\n        drm\n        offline\n        reason\n        name\n        cooldownWaived\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}": types.MyEventsDocument,
    "mutation Purchase($input: PurchaseInput!) {\n  purchase(input: $input) {\n    entitlement {\n      ...EntitlementFields\n    }\n    licenseUrl\n  }\n}": types.PurchaseDocument,
    "mutation Rent($input: RentInput!) {\n  rent(input: $input) {\n    entitlement {\n      ...EntitlementFields\n    }\n    licenseUrl\n  }\n}": types.RentDocument,
    "mutation UnbindDevice($id: ID!) {\n  unbindDevice(id: $id) {\n    ...DeviceBindingFields\n  }\n}": types.UnbindDeviceDocument,
    "fragment ContentFields on Content {\n  id\n  title\n  keyId\n  fairPlayReady\n  offlineAllowed\n  rental {\n    periodSeconds\n    playSeconds\n  }\n}\n\nfragment DeviceBindingFields on DeviceBinding {\n  id\n  name\n  drm\n  status\n  deviceId\n  createdAt\n  expiresAt\n  boundAt\n  revokedAt\n}\n\nfragment EntitlementFields on Entitlement {\n  id\n  kind\n  contentId\n  bindingId\n  createdAt\n  expiresAt\n  playSeconds\n  status\n  revokedAt\n  revokeReason\n}\n\nfragment PageInfoFields on PageInfo {\n  hasNextPage\n  endCursor\n}": types.ContentFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation BindDevice($input: BindDeviceInput!) {\n  bindDevice(input: $input) {\n    binding {\n      ...DeviceBindingFields\n    }\n    contentUrl\n    licenseUrl\n  }\n}"): (typeof documents)["mutation BindDevice($input: BindDeviceInput!) {\n  bindDevice(input: $input) {\n    binding {\n      ...DeviceBindingFields\n    }\n    contentUrl\n    licenseUrl\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Contents($first: Int! = 20, $after: String) {\n  contents(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...ContentFields\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}"): (typeof documents)["query Contents($first: Int! = 20, $after: String) {\n  contents(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...ContentFields\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query DeviceBinding($id: ID!) {\n  deviceBinding(id: $id) {\n    ...DeviceBindingFields\n  }\n}"): (typeof documents)["query DeviceBinding($id: ID!) {\n  deviceBinding(id: $id) {\n    ...DeviceBindingFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query DeviceBindings($first: Int! = 20, $after: String) {\n  deviceBindings(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...DeviceBindingFields\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}"): (typeof documents)["query DeviceBindings($first: Int! = 20, $after: String) {\n  deviceBindings(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...DeviceBindingFields\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Entitlements($first: Int! = 20, $after: String) {\n  entitlements(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...EntitlementFields\n        content {\n          id\n          title\n        }\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}"): (typeof documents)["query Entitlements($first: Int! = 20, $after: String) {\n  entitlements(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...EntitlementFields\n        content {\n          id\n          title\n        }\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query LicenseToken($contentId: ID!, $bindingId: ID!, $drm: Drm! = FAIRPLAY, $offline: Boolean! = false) {\n  licenseToken(\n    contentId: $contentId\n    bindingId: $bindingId\n    drm: $drm\n    offline: $offline\n  ) {\n    entitlement {\n      ...EntitlementFields\n    }\n    licenseUrl\n  }\n}"): (typeof documents)["query LicenseToken($contentId: ID!, $bindingId: ID!, $drm: Drm! = FAIRPLAY, $offline: Boolean! = false) {\n  licenseToken(\n    contentId: $contentId\n    bindingId: $bindingId\n    drm: $drm\n    offline: $offline\n  ) {\n    entitlement {\n      ...EntitlementFields\n    }\n    licenseUrl\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyEvents($first: Int! = 20, $after: String) {\n  myEvents(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        type\n        at\n        actor {\n          id\n          admin\n        }\n        bindingId\n        entitlementId\n        contentId\n        deviceId\n        drm\n        offline\n        reason\n        name\n        cooldownWaived\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}"): (typeof documents)["query MyEvents($first: Int! = 20, $after: String) {\n  myEvents(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        type\n        at\n        actor {\n          id\n          admin\n        }\n        bindingId\n        entitlementId\n        contentId\n        deviceId\n        drm\n        offline\n        reason\n        name\n        cooldownWaived\n      }\n    }\n    pageInfo {\n      ...PageInfoFields\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Purchase($input: PurchaseInput!) {\n  purchase(input: $input) {\n    entitlement {\n      ...EntitlementFields\n    }\n    licenseUrl\n  }\n}"): (typeof documents)["mutation Purchase($input: PurchaseInput!) {\n  purchase(input: $input) {\n    entitlement {\n      ...EntitlementFields\n    }\n    licenseUrl\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Rent($input: RentInput!) {\n  rent(input: $input) {\n    entitlement {\n      ...EntitlementFields\n    }\n    licenseUrl\n  }\n}"): (typeof documents)["mutation Rent($input: RentInput!) {\n  rent(input: $input) {\n    entitlement {\n      ...EntitlementFields\n    }\n    licenseUrl\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UnbindDevice($id: ID!) {\n  unbindDevice(id: $id) {\n    ...DeviceBindingFields\n  }\n}"): (typeof documents)["mutation UnbindDevice($id: ID!) {\n  unbindDevice(id: $id) {\n    ...DeviceBindingFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ContentFields on Content {\n  id\n  title\n  keyId\n  fairPlayReady\n  offlineAllowed\n  rental {\n    periodSeconds\n    playSeconds\n  }\n}\n\nfragment DeviceBindingFields on DeviceBinding {\n  id\n  name\n  drm\n  status\n  deviceId\n  createdAt\n  expiresAt\n  boundAt\n  revokedAt\n}\n\nfragment EntitlementFields on Entitlement {\n  id\n  kind\n  contentId\n  bindingId\n  createdAt\n  expiresAt\n  playSeconds\n  status\n  revokedAt\n  revokeReason\n}\n\nfragment PageInfoFields on PageInfo {\n  hasNextPage\n  endCursor\n}"): (typeof documents)["fragment ContentFields on Content {\n  id\n  title\n  keyId\n  fairPlayReady\n  offlineAllowed\n  rental {\n    periodSeconds\n    playSeconds\n  }\n}\n\nfragment DeviceBindingFields on DeviceBinding {\n  id\n  name\n  drm\n  status\n  deviceId\n  createdAt\n  expiresAt\n  boundAt\n  revokedAt\n}\n\nfragment EntitlementFields on Entitlement {\n  id\n  kind\n  contentId\n  bindingId\n  createdAt\n  expiresAt\n  playSeconds\n  status\n  revokedAt\n  revokeReason\n}\n\nfragment PageInfoFields on PageInfo {\n  hasNextPage\n  endCursor\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;