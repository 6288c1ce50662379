/**
 * What GraphiQL shows on a first visit: the device-binding flow, one operation per step, run in order from the
 * execute button's menu. Variables rather than literals so that the binding id is pasted once, in the Variables
 * tab, and every later step picks it up. tests/browser checks that it validates against the schema.
 */
export const DEFAULT_QUERY = `# Device-binding entitlement API
#
# 1. In the Headers tab below, put a token from
#      npm run token -- alice
# 2. Run the operations in order; the run button's
#    menu lists them by name.
# 3. After BindDevice, the device plays contentUrl:
#      npm run device -- play '<contentUrl>'
#    and put the binding id in the Variables tab:
#      { "bindingId": "<binding.id>" }

# The catalog: pick a content id. The demo catalog
# has big-buck-bunny, sintel and tears-of-steel.
# Lists come a page at a time: for the next page,
# pass pageInfo.endCursor as after.
query Contents {
  contents(first: 20) {
    nodes {
      id
      title
      fairPlayReady
      rental { periodSeconds playSeconds }
    }
    pageInfo { hasNextPage endCursor }
  }
}

# Starts binding a device: the binding stays PENDING
# until the device plays contentUrl.
mutation BindDevice {
  bindDevice(input: { drm: FAIRPLAY, name: "tv" }) {
    binding { id status expiresAt }
    contentUrl
    licenseUrl
  }
}

# Run again until status is BOUND.
query DeviceBinding($bindingId: ID!) {
  deviceBinding(id: $bindingId) {
    id
    status
    deviceId
    boundAt
  }
}

# Buys a title to own; the license works only on the
# bound device. Sending the same idempotencyKey
# again returns the same entitlement, so retrying is
# safe. Use a new key for each new purchase.
mutation Purchase(
  $bindingId: ID!
  $contentId: ID! = "big-buck-bunny"
  $idempotencyKey: String! = "purchase-0001"
) {
  purchase(
    input: {
      bindingId: $bindingId
      contentId: $contentId
      drm: FAIRPLAY
      idempotencyKey: $idempotencyKey
    }
  ) {
    entitlement { id kind contentId createdAt }
    licenseUrl
  }
}

# Rents a title on the catalog's rental terms.
mutation Rent(
  $bindingId: ID!
  $contentId: ID! = "sintel"
  $idempotencyKey: String! = "rent-0001"
) {
  rent(
    input: {
      bindingId: $bindingId
      contentId: $contentId
      drm: FAIRPLAY
      idempotencyKey: $idempotencyKey
    }
  ) {
    entitlement { id kind contentId expiresAt }
    licenseUrl
  }
}

# A fresh license URL for a title you hold.
query LicenseToken(
  $bindingId: ID!
  $contentId: ID! = "big-buck-bunny"
) {
  licenseToken(
    bindingId: $bindingId
    contentId: $contentId
    drm: FAIRPLAY
  ) {
    entitlement { id kind expiresAt }
    licenseUrl
  }
}

# Your purchases and rentals, newest first.
query Entitlements {
  entitlements(first: 20) {
    nodes {
      id
      kind
      content { id title }
      createdAt
      expiresAt
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;
