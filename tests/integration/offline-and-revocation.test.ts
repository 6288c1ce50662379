/**
 * Offline licenses and revocation, through the public GraphQL API, the sandbox and the simulated device: a title's
 * policy says whether it may be downloaded; an offline purchase or rental gets a persistent license (both rental
 * clocks in its rights); FairPlay, which ExpressPlay gives no persistent flag, is refused with a code. After
 * unbindDevice, and after an admin revokes an entitlement, no new token is issued for it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ExpressPlayConfig } from '../../src/config/config.js';
import { createExpressPlayClient } from '../../src/datasources/expressplay/client.js';
import type { ExpressPlayClient, TokenRequest } from '../../src/datasources/expressplay/types.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { newDeviceId, playLicenseUrl } from '../../src/device/simulated-device.js';
import { bindAndPlay } from '../helpers/bind-and-play.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { UPSERT, PURCHASE, RENT } from '../helpers/operations.js';

const AUTH = `1001,${'5d'.repeat(16)}`;
const DAY = 86_400;
const TOKEN_TTL = 3600;

const LICENSE = /* GraphQL */ `
  query ($contentId: ID!, $bindingId: ID!, $drm: Drm!, $offline: Boolean) {
    licenseToken(contentId: $contentId, bindingId: $bindingId, drm: $drm, offline: $offline) {
      licenseUrl
    }
  }
`;
const ENTITLEMENTS = /* GraphQL */ `
  {
    entitlements {
      nodes {
        id
        contentId
        status
        revokedAt
        revokeReason
      }
    }
  }
`;
const REVOKE = /* GraphQL */ `
  mutation ($input: RevokeEntitlementInput!) {
    revokeEntitlement(input: $input) {
      id
      status
      revokedAt
      revokeReason
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

type Entitlement = {
  id: string;
  contentId: string;
  status: string;
  revokedAt: string | null;
  revokeReason: string | null;
};

let sandbox: RunningSandbox;
let app: TestApp;
let admin: string;
const requests: TokenRequest[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ customerAuthenticators: [AUTH] });
  const config: ExpressPlayConfig = {
    tokenBaseUrl: sandbox.url,
    apiBaseUrl: sandbox.url,
    customerAuthenticator: AUTH,
    timeoutMs: 5000,
    retries: 0,
    breakerFailureThreshold: 1000,
    breakerResetMs: 1000,
    tokenTtlSeconds: TOKEN_TTL,
  };
  const real = createExpressPlayClient(config);
  const recording: ExpressPlayClient = {
    requestToken(request) {
      requests.push(request);
      return real.requestToken(request);
    },
    recordsByCookie: (cookie) => real.recordsByCookie(cookie),
  };
  app = await startTestApp({ TOKEN_TTL: String(TOKEN_TTL), MAX_DEVICES: '5' }, { expressplay: recording });
  admin = await app.token('offline-admin', { admin: true });
  const title = (id: string, offlineAllowed: boolean, key: string, periodSeconds = 10 * DAY) => ({
    input: {
      id,
      title: id,
      keyId: key.repeat(16),
      contentKey: 'd2'.repeat(16),
      iv: 'f1'.repeat(16),
      rental: { periodSeconds, playSeconds: 2 * DAY },
      offlineAllowed,
    },
  });
  for (const input of [
    title('download-ok', true, 'a1'),
    title('stream-only', false, 'b2'),
    title('long-download', true, 'c3', 60 * DAY),
  ]) {
    const saved = await app.gql<{ upsertContent: { offlineAllowed: boolean } }>(UPSERT, input, { token: admin });
    expect(saved.errors).toBeUndefined();
    expect(saved.data!.upsertContent.offlineAllowed).toBe(input.input.offlineAllowed);
  }
});

afterAll(async () => {
  await app?.stop();
  await sandbox?.close();
});

beforeEach(() => {
  requests.length = 0;
});

async function bind(token: string, device: string, drm: string): Promise<string> {
  return (await bindAndPlay(app, token, { device, drm })).bindingId;
}

const licenseRequests = () => requests.filter((r) => r.deviceId !== undefined);

describe('offline (persistent) licenses', () => {
  it.each([
    ['PLAYREADY', 'pr'],
    ['WIDEVINE', 'wv'],
  ] as const)(
    'an offline purchase is persistent in the sandbox license (%s); a streaming one is not',
    async (drm, wire) => {
      const token = await app.token(`offline-buyer-${wire}`);
      const device = newDeviceId();
      const bindingId = await bind(token, device, drm);
      const bought = await app.gql<{ purchase: { licenseUrl: string } }>(
        PURCHASE,
        { input: { contentId: 'download-ok', bindingId, drm, idempotencyKey: `offline-buy-${wire}-1`, offline: true } },
        { token },
      );
      expect(bought.errors).toBeUndefined();
      expect(licenseRequests().map((r) => r.persistent)).toEqual([true]);
      expect(await playLicenseUrl(bought.data!.purchase.licenseUrl, device)).toMatchObject({
        drm: wire,
        granted: true,
        license: { persistent: true, rights: { rightsType: 'BuyToOwn' } },
      });

      // The same purchase streamed: licenseToken without offline gives a license that may not be stored.
      const streamed = await app.gql<{ licenseToken: { licenseUrl: string } }>(
        LICENSE,
        { contentId: 'download-ok', bindingId, drm },
        { token },
      );
      expect(streamed.errors).toBeUndefined();
      expect(await playLicenseUrl(streamed.data!.licenseToken.licenseUrl, device)).toMatchObject({
        granted: true,
        license: { persistent: false },
      });
      const offlineAgain = await app.gql<{ licenseToken: { licenseUrl: string } }>(
        LICENSE,
        { contentId: 'download-ok', bindingId, drm, offline: true },
        { token },
      );
      expect(await playLicenseUrl(offlineAgain.data!.licenseToken.licenseUrl, device)).toMatchObject({
        granted: true,
        license: { persistent: true },
      });
    },
  );

  it('refuses an offline license of a streaming-only title with OFFLINE_NOT_ALLOWED, before recording anything', async () => {
    const token = await app.token('offline-denied');
    const bindingId = await bind(token, newDeviceId(), 'PLAYREADY');
    const input = { contentId: 'stream-only', bindingId, drm: 'PLAYREADY', offline: true };
    for (const [query, variables] of [
      [PURCHASE, { input: { ...input, idempotencyKey: 'stream-only-buy-1' } }],
      [RENT, { input: { ...input, idempotencyKey: 'stream-only-rent-1' } }],
      [LICENSE, input],
    ] as const) {
      const refused = await app.gql(query, variables, { token });
      expect(refused.errors?.[0]?.extensions).toEqual({ code: 'OFFLINE_NOT_ALLOWED', field: 'offline' });
      expect(refused.errors?.[0]?.message).toMatch(/may not be downloaded.*offline: false/);
    }
    expect(requests.filter((r) => r.deviceId !== undefined)).toEqual([]);
    expect(
      (await app.gql<{ entitlements: { nodes: Entitlement[] } }>(ENTITLEMENTS, {}, { token })).data!.entitlements.nodes,
    ).toEqual([]);
    // Streaming it is fine.
    const streamed = await app.gql(
      PURCHASE,
      { input: { ...input, offline: false, idempotencyKey: 'stream-only-buy-2' } },
      { token },
    );
    expect(streamed.errors).toBeUndefined();
  });

  it('refuses an offline FAIRPLAY license as ExpressPlay does (-5003) with OFFLINE_NOT_ALLOWED on drm, keeping the purchase', async () => {
    const token = await app.token('offline-fairplay');
    const device = newDeviceId();
    const bindingId = await bind(token, device, 'FAIRPLAY');
    const input = { contentId: 'download-ok', bindingId, drm: 'FAIRPLAY', idempotencyKey: 'offline-fp-buy-1' };
    const refused = await app.gql(PURCHASE, { input: { ...input, offline: true } }, { token });
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'OFFLINE_NOT_ALLOWED', field: 'drm' });
    expect(refused.errors?.[0]?.message).toMatch(/no offline \(persistent\) FAIRPLAY license.*same idempotencyKey/);
    const retried = await app.gql<{ purchase: { licenseUrl: string } }>(PURCHASE, { input }, { token });
    expect(retried.errors).toBeUndefined();
    expect(await playLicenseUrl(retried.data!.purchase.licenseUrl, device)).toMatchObject({
      drm: 'fp',
      granted: true,
      license: { persistent: false },
    });
  });

  it.each([
    ['PLAYREADY', 'pr'],
    ['WIDEVINE', 'wv'],
  ] as const)('an offline rental keeps both clocks in the persistent license (%s)', async (drm, wire) => {
    const token = await app.token(`offline-renter-${wire}`);
    const device = newDeviceId();
    const bindingId = await bind(token, device, drm);
    const rented = await app.gql<{
      rent: { entitlement: { expiresAt: string; playSeconds: number }; licenseUrl: string };
    }>(
      RENT,
      { input: { contentId: 'download-ok', bindingId, drm, idempotencyKey: `offline-rent-${wire}-1`, offline: true } },
      { token },
    );
    expect(rented.errors).toBeUndefined();
    const { entitlement, licenseUrl } = rented.data!.rent;
    // ExpressPlay times are whole seconds, truncated.
    const periodEndTime = new Date(Math.floor(Date.parse(entitlement.expiresAt) / 1000) * 1000).toISOString();
    const played = await playLicenseUrl(licenseUrl, device);
    expect(played).toMatchObject({
      drm: wire,
      granted: true,
      license: { persistent: true, rights: { rightsType: 'Rental', periodEndTime, playDuration: 2 * DAY } },
    });
  });

  it("caps an offline WIDEVINE rental's token at ExpressPlay's 30-day limit when the window is longer", async () => {
    const token = await app.token('offline-long-renter');
    const device = newDeviceId();
    const bindingId = await bind(token, device, 'WIDEVINE');
    const askedAt = Date.now();
    const rented = await app.gql<{ rent: { licenseUrl: string } }>(
      RENT,
      {
        input: {
          contentId: 'long-download',
          bindingId,
          drm: 'WIDEVINE',
          idempotencyKey: 'offline-long-rent-1',
          offline: true,
        },
      },
      { token },
    );
    expect(rented.errors).toBeUndefined();
    const [sent] = licenseRequests();
    const tokenLife = sent.expirationTime!.getTime() - askedAt;
    expect(tokenLife).toBeGreaterThan(29 * DAY * 1000);
    expect(tokenLife).toBeLessThan(30 * DAY * 1000);
    expect(await playLicenseUrl(rented.data!.rent.licenseUrl, device)).toMatchObject({
      granted: true,
      license: { persistent: true, rights: { rightsType: 'Rental', playDuration: 2 * DAY } },
    });
  });
});

describe('revocation takes effect', () => {
  it('after unbindDevice, purchase, rent and licenseToken for that binding get DEVICE_NOT_BOUND and no token is asked for', async () => {
    const token = await app.token('unbinder');
    const bindingId = await bind(token, newDeviceId(), 'PLAYREADY');
    const bought = await app.gql(
      PURCHASE,
      { input: { contentId: 'download-ok', bindingId, drm: 'PLAYREADY', idempotencyKey: 'unbinder-buy-1' } },
      { token },
    );
    expect(bought.errors).toBeUndefined();
    expect((await app.gql(UNBIND, { id: bindingId }, { token })).errors).toBeUndefined();
    requests.length = 0;

    const input = { contentId: 'download-ok', bindingId, drm: 'PLAYREADY' };
    for (const [query, variables] of [
      [LICENSE, input],
      [PURCHASE, { input: { ...input, idempotencyKey: 'unbinder-buy-1' } }],
      [PURCHASE, { input: { ...input, contentId: 'stream-only', idempotencyKey: 'unbinder-buy-2' } }],
      [RENT, { input: { ...input, idempotencyKey: 'unbinder-rent-1' } }],
    ] as const) {
      const refused = await app.gql(query, variables, { token });
      expect(refused.errors?.[0]?.extensions?.code).toBe('DEVICE_NOT_BOUND');
      expect(refused.errors?.[0]?.message).toMatch(/revoked.*bindDevice/);
    }
    expect(requests).toEqual([]);
  });

  it('an admin revokes an entitlement with a reason: the user sees it REVOKED, and it gets no new token', async () => {
    const token = await app.token('refunded-user');
    const device = newDeviceId();
    const bindingId = await bind(token, device, 'WIDEVINE');
    const input = { contentId: 'download-ok', bindingId, drm: 'WIDEVINE', idempotencyKey: 'refunded-buy-1' };
    const bought = await app.gql<{ purchase: { entitlement: { id: string; status: string } } }>(
      PURCHASE,
      { input },
      { token },
    );
    expect(bought.errors).toBeUndefined();
    const { id } = bought.data!.purchase.entitlement;
    expect(bought.data!.purchase.entitlement.status).toBe('ACTIVE');

    // Not for users, not even the owner.
    const forbidden = await app.gql(REVOKE, { input: { id, reason: 'I changed my mind' } }, { token });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unknown = await app.gql(
      REVOKE,
      { input: { id: '00000000-0000-4000-8000-000000000000', reason: 'refund' } },
      { token: admin },
    );
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const blank = await app.gql(REVOKE, { input: { id, reason: '  ' } }, { token: admin });
    expect(blank.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'reason' });

    const revoked = await app.gql<{ revokeEntitlement: Entitlement }>(
      REVOKE,
      { input: { id, reason: 'refunded' } },
      { token: admin },
    );
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data!.revokeEntitlement).toMatchObject({ id, status: 'REVOKED', revokeReason: 'refunded' });
    const again = await app.gql<{ revokeEntitlement: Entitlement }>(
      REVOKE,
      { input: { id, reason: 'chargeback' } },
      { token: admin },
    );
    expect(again.data!.revokeEntitlement).toEqual(revoked.data!.revokeEntitlement);

    const seen = await app.gql<{ entitlements: { nodes: Entitlement[] } }>(ENTITLEMENTS, {}, { token });
    expect(seen.data!.entitlements.nodes).toEqual([{ ...revoked.data!.revokeEntitlement, contentId: 'download-ok' }]);

    requests.length = 0;
    const license = await app.gql(LICENSE, { contentId: 'download-ok', bindingId, drm: 'WIDEVINE' }, { token });
    expect(license.errors?.[0]?.extensions?.code).toBe('ENTITLEMENT_REVOKED');
    expect(license.errors?.[0]?.message).toMatch(/was revoked at .*Purchase or rent it again/);
    // Retrying the revoked purchase's key does not hand it back with a fresh license.
    const retry = await app.gql(PURCHASE, { input }, { token });
    expect(retry.errors?.[0]?.extensions?.code).toBe('ENTITLEMENT_REVOKED');
    expect(requests).toEqual([]);

    // Buying again (a new key) is a new purchase, which plays.
    const rebought = await app.gql<{ purchase: { entitlement: { id: string; status: string }; licenseUrl: string } }>(
      PURCHASE,
      { input: { ...input, idempotencyKey: 'refunded-buy-2' } },
      { token },
    );
    expect(rebought.errors).toBeUndefined();
    expect(rebought.data!.purchase.entitlement).toMatchObject({ status: 'ACTIVE' });
    expect(rebought.data!.purchase.entitlement.id).not.toBe(id);
    expect((await playLicenseUrl(rebought.data!.purchase.licenseUrl, device)).granted).toBe(true);
    const after = await app.gql<{ entitlements: { nodes: Entitlement[] } }>(ENTITLEMENTS, {}, { token });
    expect(after.data!.entitlements.nodes.map((e) => e.status)).toEqual(['ACTIVE', 'REVOKED']);
  });

  it('revokes a rental too: licenseToken refuses it, and renting again starts a new one', async () => {
    const token = await app.token('revoked-renter');
    const bindingId = await bind(token, newDeviceId(), 'PLAYREADY');
    const input = { contentId: 'stream-only', bindingId, drm: 'PLAYREADY', idempotencyKey: 'revoked-rent-1' };
    const rented = await app.gql<{ rent: { entitlement: { id: string } } }>(RENT, { input }, { token });
    expect(rented.errors).toBeUndefined();
    const { id } = rented.data!.rent.entitlement;
    expect((await app.gql(REVOKE, { input: { id, reason: 'chargeback' } }, { token: admin })).errors).toBeUndefined();
    const license = await app.gql(LICENSE, { contentId: 'stream-only', bindingId, drm: 'PLAYREADY' }, { token });
    expect(license.errors?.[0]?.extensions?.code).toBe('ENTITLEMENT_REVOKED');
    const renewed = await app.gql<{ rent: { entitlement: { id: string } } }>(
      RENT,
      { input: { ...input, idempotencyKey: 'revoked-rent-2' } },
      { token },
    );
    expect(renewed.errors).toBeUndefined();
    expect(renewed.data!.rent.entitlement.id).not.toBe(id);
  });
});
