/**
 * The event history and support operations through GraphQL over HTTP, with the sandbox and the simulated device:
 * a bind, a purchase and a license show up in the user's history in order, with no key, token or license URL; admins
 * look any user up, rename and remove devices with the swap cool-down waived; non-admins get FORBIDDEN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDeviceId } from '../../src/device/simulated-device.js';
import { bindAndPlay as bindDevice, BIND_DEVICE } from '../helpers/bind-and-play.js';
import { startTestApp, type GraphqlResponse, type TestApp } from '../helpers/test-app.js';
import { UPSERT, PURCHASE } from '../helpers/operations.js';

const CEK = '7c'.repeat(16);

const LICENSE = /* GraphQL */ `
  query ($contentId: ID!, $bindingId: ID!) {
    licenseToken(contentId: $contentId, bindingId: $bindingId, drm: WIDEVINE) {
      licenseUrl
    }
  }
`;
const UNBIND = /* GraphQL */ `
  mutation ($id: ID!) {
    unbindDevice(id: $id) {
      status
    }
  }
`;
const EVENT_FIELDS = `id type at actor { id admin } bindingId entitlementId contentId deviceId drm offline reason name cooldownWaived`;
const MY_EVENTS = /* GraphQL */ `
  query($first: Int, $after: String) { myEvents(first: $first, after: $after) { edges { cursor node { ${EVENT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const BINDING_EVENTS = /* GraphQL */ `
  query ($id: ID!) {
    deviceBinding(id: $id) {
      deviceId
      lastUsedAt
      events {
        nodes {
          type
        }
      }
    }
  }
`;
const ENTITLEMENT_EVENTS = /* GraphQL */ `
  {
    entitlements(first: 5) {
      nodes {
        id
        events(first: 10) {
          nodes {
            type
            bindingId
            drm
            offline
          }
        }
      }
    }
  }
`;
const SUPPORT = /* GraphQL */ `
  query ($userId: ID!) {
    userSupport(userId: $userId) {
      userId
      deviceBindings {
        nodes {
          id
          name
          status
          lastUsedAt
          events(first: 2) {
            nodes {
              type
            }
          }
        }
      }
      entitlements {
        nodes {
          id
          contentId
          status
        }
      }
      events(first: 30) {
        nodes {
          type
          actor {
            id
            admin
          }
          reason
          cooldownWaived
        }
      }
    }
  }
`;
const REMOVE = /* GraphQL */ `
  mutation ($input: RemoveDeviceBindingInput!) {
    removeDeviceBinding(input: $input) {
      id
      status
    }
  }
`;
const RENAME = /* GraphQL */ `
  mutation ($id: ID!, $name: String) {
    renameDeviceBinding(id: $id, name: $name) {
      id
      name
    }
  }
`;
const REVOKE = /* GraphQL */ `
  mutation ($input: RevokeEntitlementInput!) {
    revokeEntitlement(input: $input) {
      id
      status
    }
  }
`;

interface EventNode {
  id: string;
  type: string;
  at: string;
  actor: { id: string | null; admin: boolean } | null;
  bindingId: string | null;
  entitlementId: string | null;
  contentId: string | null;
  deviceId: string | null;
  drm: string | null;
  offline: boolean | null;
  reason: string | null;
  name: string | null;
  cooldownWaived: boolean | null;
}

let app: TestApp;
let admin: string;

beforeAll(async () => {
  // One device each, and a day's cool-down after a bound device is removed: only support can shorten it.
  app = await startTestApp({ MAX_DEVICES: '1', DEVICE_SWAP_COOLDOWN: '86400' });
  admin = await app.token('support-7', { admin: true });
  const saved = await app.gql(
    UPSERT,
    {
      input: {
        id: 'history-film',
        title: 'History',
        keyId: 'e4'.repeat(16),
        contentKey: CEK,
        iv: 'f1'.repeat(16),
        rental: { periodSeconds: 3600, playSeconds: 3600 },
      },
    },
    { token: admin },
  );
  expect(saved.errors).toBeUndefined();
});

afterAll(async () => {
  await app?.stop();
});

function ok<T>(response: GraphqlResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data!;
}

/** Binds a new device and plays the dummy stream on it; the binding becomes BOUND on its next read. */
function bindAndPlay(
  token: string,
  device = newDeviceId(),
  name?: string,
): Promise<{ bindingId: string; device: string }> {
  return bindDevice(app, token, { device, name });
}

async function myEvents(token: string): Promise<EventNode[]> {
  const data = ok(
    await app.gql<{ myEvents: { edges: Array<{ node: EventNode }> } }>(MY_EVENTS, { first: 20 }, { token }),
  );
  return data.myEvents.edges.map((e) => e.node);
}

describe('event history', () => {
  it('a bind, a purchase and a license: started, bound, purchased, token issued, newest first, with no secret', async () => {
    const token = await app.token('history-user');
    const { bindingId } = await bindAndPlay(token, undefined, 'Phone');
    const bought = ok(
      await app.gql<{ purchase: { entitlement: { id: string }; licenseUrl: string } }>(
        PURCHASE,
        { input: { contentId: 'history-film', bindingId, drm: 'WIDEVINE', idempotencyKey: 'history-buy-1' } },
        { token },
      ),
    );
    const license = ok(
      await app.gql<{ licenseToken: { licenseUrl: string } }>(
        LICENSE,
        { contentId: 'history-film', bindingId },
        { token },
      ),
    );
    const entitlementId = bought.purchase.entitlement.id;

    const response = await app.gql<{ myEvents: { edges: Array<{ node: EventNode }> } }>(
      MY_EVENTS,
      { first: 20 },
      { token },
    );
    const events = ok(response).myEvents.edges.map((e) => e.node);
    expect(events.map((e) => e.type)).toEqual([
      'TOKEN_ISSUED',
      'TOKEN_ISSUED',
      'PURCHASED',
      'BINDING_BOUND',
      'BINDING_STARTED',
    ]);
    const me = { id: 'history-user', admin: false };
    expect(events[0]).toMatchObject({
      actor: me,
      bindingId,
      entitlementId,
      contentId: 'history-film',
      drm: 'WIDEVINE',
      offline: false,
    });
    expect(events[2]).toMatchObject({ actor: me, bindingId, entitlementId, contentId: 'history-film' });
    // The device id its Widevine reported (each DRM reports its own), as the binding holds it.
    expect(events[3]).toMatchObject({
      actor: me,
      bindingId,
      deviceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      drm: 'WIDEVINE',
    });
    expect(events[4]).toMatchObject({ actor: me, bindingId, name: 'Phone', drm: 'WIDEVINE', entitlementId: null });
    const times = events.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // Nothing secret: neither the content key nor any part of a license URL (its token) is in the history.
    const text = JSON.stringify(response);
    expect(text).not.toContain(CEK);
    for (const url of [bought.purchase.licenseUrl, license.licenseToken.licenseUrl]) {
      for (const value of new URL(url).searchParams.values()) if (value.length > 8) expect(text).not.toContain(value);
    }

    // Per binding and per entitlement; the binding's last use is the last token issued.
    const binding = ok(
      await app.gql<{
        deviceBinding: { deviceId: string; lastUsedAt: string; events: { nodes: Array<{ type: string }> } };
      }>(BINDING_EVENTS, { id: bindingId }, { token }),
    );
    expect(binding.deviceBinding.deviceId).toBe(events[3].deviceId);
    expect(binding.deviceBinding.events.nodes.map((e) => e.type)).toEqual(events.map((e) => e.type));
    expect(binding.deviceBinding.lastUsedAt).toBe(events[0].at);
    const entitlements = ok(
      await app.gql<{ entitlements: { nodes: Array<{ events: { nodes: Array<{ type: string }> } }> } }>(
        ENTITLEMENT_EVENTS,
        {},
        { token },
      ),
    );
    expect(entitlements.entitlements.nodes[0].events.nodes.map((e) => e.type)).toEqual([
      'TOKEN_ISSUED',
      'TOKEN_ISSUED',
      'PURCHASED',
    ]);

    // Two pages of two, then one: the cursor carries on where the page ended.
    const first = ok(
      await app.gql<{
        myEvents: { edges: Array<{ node: EventNode }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
      }>(MY_EVENTS, { first: 3 }, { token }),
    );
    expect(first.myEvents.pageInfo.hasNextPage).toBe(true);
    const rest = ok(
      await app.gql<{ myEvents: { edges: Array<{ node: EventNode }>; pageInfo: { hasNextPage: boolean } } }>(
        MY_EVENTS,
        { first: 3, after: first.myEvents.pageInfo.endCursor },
        { token },
      ),
    );
    expect([...first.myEvents.edges, ...rest.myEvents.edges].map((e) => e.node.id)).toEqual(events.map((e) => e.id));
    expect(rest.myEvents.pageInfo.hasNextPage).toBe(false);
    const forged = await app.gql(
      MY_EVENTS,
      { after: Buffer.from(JSON.stringify(['event', new Date().toISOString(), 'x'])).toString('base64url') },
      { token },
    );
    expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it("a user cannot read another user's binding history", async () => {
    const owner = await app.token('history-owner');
    const { bindingId } = await bindAndPlay(owner);
    const other = await app.token('history-other');
    const read = await app.gql(BINDING_EVENTS, { id: bindingId }, { token: other });
    expect(read.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('support operations', () => {
  it('non-admins get FORBIDDEN for every admin operation', async () => {
    const token = await app.token('curious-user');
    const { bindingId } = await bindAndPlay(token);
    const refused = [
      await app.gql(SUPPORT, { userId: 'history-user' }, { token }),
      await app.gql(REMOVE, { input: { id: bindingId, reason: 'mine' } }, { token }),
      await app.gql(REVOKE, { input: { id: bindingId, reason: 'mine' } }, { token }),
    ];
    for (const response of refused) {
      expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(response.data ?? null).toBeNull();
    }
    // The refused removal changed nothing and wrote nothing (the binding becomes BOUND on this first read).
    expect(
      ok(
        await app.gql<{ deviceBinding: { events: { nodes: Array<{ type: string }> } } }>(
          BINDING_EVENTS,
          { id: bindingId },
          { token },
        ),
      ).deviceBinding.events.nodes.map((e) => e.type),
    ).toEqual(['BINDING_BOUND', 'BINDING_STARTED']);
    // Renaming is the owner's too; another user's binding is NOT_FOUND, as everywhere.
    expect(
      ok(await app.gql<{ renameDeviceBinding: { name: string } }>(RENAME, { id: bindingId, name: 'Tablet' }, { token }))
        .renameDeviceBinding.name,
    ).toBe('Tablet');
    const other = await app.gql(
      RENAME,
      { id: bindingId, name: 'Mine now' },
      { token: await app.token('someone-else') },
    );
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it("an admin reads a user's bindings, entitlements and history, renames a device and revokes an entitlement, as events with the admin's id", async () => {
    const token = await app.token('supported-user');
    const { bindingId } = await bindAndPlay(token);
    const bought = ok(
      await app.gql<{ purchase: { entitlement: { id: string } } }>(
        PURCHASE,
        { input: { contentId: 'history-film', bindingId, drm: 'WIDEVINE', idempotencyKey: 'support-buy-1' } },
        { token },
      ),
    );
    expect(
      ok(
        await app.gql<{ renameDeviceBinding: { name: string } }>(
          RENAME,
          { id: bindingId, name: 'Living room' },
          { token: admin },
        ),
      ).renameDeviceBinding.name,
    ).toBe('Living room');
    ok(await app.gql(REVOKE, { input: { id: bought.purchase.entitlement.id, reason: 'refunded' } }, { token: admin }));

    type Support = {
      userSupport: {
        userId: string;
        deviceBindings: {
          nodes: Array<{
            id: string;
            name: string;
            status: string;
            lastUsedAt: string | null;
            events: { nodes: Array<{ type: string }> };
          }>;
        };
        entitlements: { nodes: Array<{ id: string; status: string }> };
        events: { nodes: Array<Pick<EventNode, 'type' | 'actor' | 'reason' | 'cooldownWaived'>> };
      };
    };
    const support = ok(await app.gql<Support>(SUPPORT, { userId: 'supported-user' }, { token: admin })).userSupport;
    expect(support.deviceBindings.nodes).toEqual([
      expect.objectContaining({ id: bindingId, name: 'Living room', status: 'BOUND', lastUsedAt: expect.any(String) }),
    ]);
    expect(support.deviceBindings.nodes[0].events.nodes.map((e) => e.type)).toEqual([
      'ENTITLEMENT_REVOKED',
      'BINDING_RENAMED',
    ]);
    expect(support.entitlements.nodes).toEqual([
      { id: bought.purchase.entitlement.id, contentId: 'history-film', status: 'REVOKED' },
    ]);
    const staff = { id: 'support-7', admin: true };
    expect(support.events.nodes.slice(0, 2)).toEqual([
      { type: 'ENTITLEMENT_REVOKED', actor: staff, reason: 'refunded', cooldownWaived: null },
      { type: 'BINDING_RENAMED', actor: staff, reason: null, cooldownWaived: null },
    ]);
    // The user sees that support acted, not who.
    expect((await myEvents(token)).slice(0, 2).map((e) => e.actor)).toEqual([
      { id: null, admin: true },
      { id: null, admin: true },
    ]);
  });

  it('removing a device with the cool-down waived lets the user bind a new one at once; without, they wait', async () => {
    const token = await app.token('lost-phone-user');
    const first = await bindAndPlay(token);
    // Bound on its first read; then the user removes it and must wait out the cool-down.
    ok(await app.gql(BINDING_EVENTS, { id: first.bindingId }, { token }));
    ok(await app.gql(UNBIND, { id: first.bindingId }, { token }));
    const waiting = await app.gql(BIND_DEVICE, { drm: 'WIDEVINE' }, { token });
    expect(waiting.errors?.[0]?.extensions?.code).toBe('DEVICE_LIMIT_REACHED');
    const [refusal] = await myEvents(token);
    expect(refusal).toMatchObject({
      type: 'DEVICE_LIMIT_REFUSED',
      drm: 'WIDEVINE',
      reason: expect.stringMatching(/removed recently/),
    });

    // Support waives the cool-down of the device the user already removed.
    const removed = ok(
      await app.gql<{ removeDeviceBinding: { status: string } }>(
        REMOVE,
        { input: { id: first.bindingId, reason: 'ticket 4711' } },
        { token: admin },
      ),
    );
    expect(removed.removeDeviceBinding.status).toBe('REVOKED');
    const second = await bindAndPlay(token);
    ok(await app.gql(BINDING_EVENTS, { id: second.bindingId }, { token }));

    // Support removes a bound device: the slot is free at once.
    ok(await app.gql(REMOVE, { input: { id: second.bindingId, reason: 'phone stolen' } }, { token: admin }));
    await bindAndPlay(token);

    const events = ok(
      await app.gql<{
        userSupport: { events: { nodes: Array<Pick<EventNode, 'type' | 'actor' | 'reason' | 'cooldownWaived'>> } };
      }>(SUPPORT, { userId: 'lost-phone-user' }, { token: admin }),
    ).userSupport.events.nodes;
    const staff = { id: 'support-7', admin: true };
    expect(events.map((e) => e.type)).toEqual([
      'BINDING_STARTED',
      'BINDING_REVOKED',
      'BINDING_BOUND',
      'BINDING_STARTED',
      'COOLDOWN_WAIVED',
      'DEVICE_LIMIT_REFUSED',
      'BINDING_REVOKED',
      'BINDING_BOUND',
      'BINDING_STARTED',
    ]);
    expect(events[1]).toMatchObject({ actor: staff, reason: 'phone stolen', cooldownWaived: true });
    expect(events[4]).toMatchObject({ actor: staff, reason: 'ticket 4711' });
    expect(events[6]).toMatchObject({ actor: { id: 'lost-phone-user', admin: false }, cooldownWaived: false });
  });
});
