/**
 * The catalog and acquisition documents the integration files send over HTTP, written once. Each selects every field
 * any of those files reads; a file reads what it needs.
 */
export const UPSERT = /* GraphQL */ `
  mutation Upsert($input: UpsertContentInput!) {
    upsertContent(input: $input) {
      id
      title
      keyId
      offlineAllowed
      rental {
        periodSeconds
        playSeconds
      }
    }
  }
`;

const ACQUIRED = /* GraphQL */ `
  entitlement {
    id
    contentId
    kind
    status
    bindingId
    expiresAt
    playSeconds
  }
  licenseUrl
`;

export const PURCHASE = /* GraphQL */ `
  mutation Purchase($input: PurchaseInput!) {
    purchase(input: $input) {
      ${ACQUIRED}
    }
  }
`;

export const RENT = /* GraphQL */ `
  mutation Rent($input: RentInput!) {
    rent(input: $input) {
      ${ACQUIRED}
    }
  }
`;
