/**
 * Licenses under ExpressPlay's real rules, through the public GraphQL API, the sandbox and the simulated device:
 * a token expires within ExpressPlay's 30-day limit (TOKEN_TTL) while the rights keep the rental's own terms, so a
 * 60-day rental plays; a binding holds one DRM's device id, so a PLAYREADY binding never yields a WIDEVINE
 * license; and an ExpressPlay refusal after the purchase was recorded leaves the client a code that says when to
 * retry. The app talks to a sandbox of its own through a client that records every token request. The code each
 * refusal of a recorded rental leaves, and the token's lifetime to the second, are in
 * tests/service/entitlement-service.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ExpressPlayConfig } from '../../src/datasources/expressplay/config.js';
import { createExpressPlayClient } from '../../src/datasources/expressplay/client.js';
import { ExpressPlayRejectedError } from '../../src/datasources/expressplay/errors.js';
import type { ExpressPlayClient, TokenRequest } from '../../src/datasources/expressplay/types.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { drmDeviceId, newDeviceId, playLicenseUrl } from '../../src/device/simulated-device.js';
import { bindAndPlay } from '../helpers/bind-and-play.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { UPSERT, PURCHASE, RENT } from '../helpers/operations.js';

const AUTH = `1000,${'7e'.repeat(16)}`;
const DAY = 86_400;
const TOKEN_TTL = 3600;

const LICENSE = /* GraphQL */ `
  query ($contentId: ID!, $bindingId: ID!, $drm: Drm!) {
    licenseToken(contentId: $contentId, bindingId: $bindingId, drm: $drm) {
      licenseUrl
    }
  }
`;

let sandbox: RunningSandbox;
let app: TestApp;
let admin: string;
const requests: Array<{ request: TokenRequest; at: number }> = [];
/** A refusal the next token request with a device restriction gets instead of reaching the sandbox. */
let refuseNext: ExpressPlayRejectedError | undefined;

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
    async requestToken(request) {
      requests.push({ request, at: Date.now() });
      if (refuseNext && request.deviceId !== undefined) {
        const refusal = refuseNext;
        refuseNext = undefined;
        throw refusal;
      }
      return real.requestToken(request);
    },
    recordsByCookie: (cookie) => real.recordsByCookie(cookie),
  };
  app = await startTestApp({ TOKEN_TTL: String(TOKEN_TTL) }, { expressplay: recording });
  admin = await app.token('rules-admin', { admin: true });
  const title = (id: string, periodSeconds: number, playSeconds: number, key: string) => ({
    input: {
      id,
      title: id,
      keyId: key.repeat(16),
      contentKey: 'c4'.repeat(16),
      iv: 'e6'.repeat(16),
      rental: { periodSeconds, playSeconds },
    },
  });
  const titles = [title('long-rental', 60 * DAY, 2 * DAY, 'a7'), title('film', 3600, 1800, 'b8')];
  for (const input of titles) {
    expect((await app.gql(UPSERT, input, { token: admin })).errors).toBeUndefined();
  }
});

afterAll(async () => {
  await app?.stop();
  await sandbox?.close();
});

beforeEach(() => {
  requests.length = 0;
  refuseNext = undefined;
});

/** bindDevice for `drm`, play the dummy stream on `device`, and return the BOUND binding's id. */
async function bind(token: string, device: string, drm: string): Promise<string> {
  return (await bindAndPlay(app, token, { device, drm })).bindingId;
}

/** The device-bound token requests made since the test began. */
const licenseRequests = () => requests.filter((r) => r.request.deviceId !== undefined);

describe("a rental longer than ExpressPlay's 30-day token limit", () => {
  it.each([
    ['FAIRPLAY', 'fp'],
    ['PLAYREADY', 'pr'],
  ] as const)(
    'plays when rented for 60 days (%s): a short-lived token, the rental terms in the rights',
    async (drm, wire) => {
      const token = await app.token(`long-renter-${wire}`);
      const device = newDeviceId();
      const bindingId = await bind(token, device, drm);
      const rentedAt = Date.now();
      const rented = await app.gql<{
        rent: { entitlement: { expiresAt: string; playSeconds: number }; licenseUrl: string };
      }>(
        RENT,
        { input: { contentId: 'long-rental', bindingId, drm, idempotencyKey: `long-rental-${wire}-0001` } },
        { token },
      );
      expect(rented.errors).toBeUndefined();
      const { entitlement, licenseUrl } = rented.data!.rent;
      const windowEnd = Date.parse(entitlement.expiresAt);
      expect(windowEnd - rentedAt).toBeGreaterThan(59 * DAY * 1000);
      expect(entitlement.playSeconds).toBe(2 * DAY);

      // The token expires TOKEN_TTL after it was asked for; the rights carry the whole 60-day window.
      const [sent] = licenseRequests();
      expect(sent.request.rights).toEqual({
        type: 'Rental',
        periodEndTime: new Date(windowEnd),
        playDurationSeconds: 2 * DAY,
      });
      const tokenLife = sent.request.expirationTime!.getTime() - sent.at;
      expect(tokenLife).toBeGreaterThan((TOKEN_TTL - 60) * 1000);
      expect(tokenLife).toBeLessThanOrEqual(TOKEN_TTL * 1000);

      const played = await playLicenseUrl(licenseUrl, device);
      expect(played).toMatchObject({
        drm: wire,
        granted: true,
        license: { rights: { rightsType: 'Rental', playDuration: 2 * DAY } },
      });
      if (wire === 'pr') {
        // PlayReady carries the window end itself, and ExpressPlay requires its rentals to be persistent.
        // (ExpressPlay times are whole seconds, truncated.)
        const periodEndTime = new Date(Math.floor(windowEnd / 1000) * 1000).toISOString();
        expect(played).toMatchObject({ license: { rights: { periodEndTime }, persistent: true } });
      }

      // licenseToken mints a fresh short-lived token for the same rental whenever the device needs one.
      const again = await app.gql<{ licenseToken: { licenseUrl: string } }>(
        LICENSE,
        { contentId: 'long-rental', bindingId, drm },
        { token },
      );
      expect(again.errors).toBeUndefined();
      expect((await playLicenseUrl(again.data!.licenseToken.licenseUrl, device)).granted).toBe(true);
    },
  );

  it('is refused by the sandbox, like ExpressPlay, when a token would live 31 days (-2002)', async () => {
    const client = createExpressPlayClient({
      tokenBaseUrl: sandbox.url,
      apiBaseUrl: sandbox.url,
      customerAuthenticator: AUTH,
      timeoutMs: 5000,
      retries: 0,
      breakerFailureThreshold: 1000,
      breakerResetMs: 1000,
      tokenTtlSeconds: TOKEN_TTL,
    });
    const request: TokenRequest = {
      drm: 'wv',
      contentKey: 'c4'.repeat(16),
      kid: 'a7'.repeat(16),
      rights: { type: 'BuyToOwn' },
      cookie: 'rules-cookie',
      expirationTime: new Date(Date.now() + 31 * DAY * 1000),
    };
    await expect(client.requestToken(request)).rejects.toMatchObject({
      name: 'ExpressPlayRejectedError',
      upstreamCode: -2002,
    });
    const withinLimit = { ...request, expirationTime: new Date(Date.now() + 29 * DAY * 1000) };
    await expect(client.requestToken(withinLimit)).resolves.toMatchObject({
      licenseUrl: expect.stringContaining('ExpressPlayToken='),
    });
  });
});

describe('a device id belongs to one DRM system', () => {
  it('never gives a PLAYREADY binding a WIDEVINE license: DRM_NOT_BOUND, and the purchase is kept', async () => {
    const token = await app.token('pr-only');
    const device = newDeviceId();
    const bindingId = await bind(token, device, 'PLAYREADY');
    const input = { contentId: 'film', bindingId, idempotencyKey: 'pr-only-film-0001' };

    const refused = await app.gql(PURCHASE, { input: { ...input, drm: 'WIDEVINE' } }, { token });
    expect(refused.errors).toEqual([
      {
        message: expect.stringMatching(/holds the device's PLAYREADY id.*bindDevice with drm: WIDEVINE/),
        locations: expect.any(Array),
        path: ['purchase'],
        extensions: { code: 'DRM_NOT_BOUND', field: 'drm' },
      },
    ]);
    const rentRefused = await app.gql(
      RENT,
      { input: { ...input, idempotencyKey: 'pr-only-rent-0001', drm: 'WIDEVINE' } },
      { token },
    );
    expect(rentRefused.errors?.[0]?.extensions).toEqual({ code: 'DRM_NOT_BOUND', field: 'drm' });
    const licenseRefused = await app.gql(LICENSE, { contentId: 'film', bindingId, drm: 'WIDEVINE' }, { token });
    expect(licenseRefused.errors?.[0]?.extensions).toEqual({ code: 'DRM_NOT_BOUND', field: 'drm' });
    // No Widevine token was ever asked for with the PlayReady id.
    expect(licenseRequests().filter((r) => r.request.drm === 'wv')).toEqual([]);

    // Recorded first: the same key with the binding's DRM gets the license, on this device only.
    const list = await app.gql<{ entitlements: { nodes: Array<{ id: string; kind: string }> } }>(
      `{ entitlements { nodes { id kind } } }`,
      {},
      { token },
    );
    expect(list.data!.entitlements.nodes.map((e) => e.kind).sort()).toEqual(['PURCHASE', 'RENTAL']);
    const retried = await app.gql<{ purchase: { entitlement: { id: string }; licenseUrl: string } }>(
      PURCHASE,
      { input: { ...input, drm: 'PLAYREADY' } },
      { token },
    );
    expect(retried.errors).toBeUndefined();
    expect(list.data!.entitlements.nodes.map((e) => e.id)).toContain(retried.data!.purchase.entitlement.id);
    expect(await playLicenseUrl(retried.data!.purchase.licenseUrl, device)).toMatchObject({ drm: 'pr', granted: true });
    expect(await playLicenseUrl(retried.data!.purchase.licenseUrl, newDeviceId())).toMatchObject({
      granted: false,
      errorCode: -4001,
    });

    // Without a drm, the binding's own is used: a PlayReady or Widevine app need not name it.
    const byBinding = await app.gql<{ licenseToken: { licenseUrl: string } }>(
      `query ($contentId: ID!, $bindingId: ID!) { licenseToken(contentId: $contentId, bindingId: $bindingId) { licenseUrl } }`,
      { contentId: 'film', bindingId },
      { token },
    );
    expect(byBinding.errors).toBeUndefined();
    expect(await playLicenseUrl(byBinding.data!.licenseToken.licenseUrl, device)).toMatchObject({
      drm: 'pr',
      granted: true,
    });
    const boughtByBinding = await app.gql<{ purchase: { licenseUrl: string } }>(
      PURCHASE,
      { input: { ...input, idempotencyKey: 'pr-only-film-0002', drm: null } },
      { token },
    );
    expect(await playLicenseUrl(boughtByBinding.data!.purchase.licenseUrl, device)).toMatchObject({ drm: 'pr' });
  });

  it('would be refused by the sandbox anyway: a WIDEVINE token bound to the PLAYREADY id does not play (-4001)', async () => {
    const token = await app.token('cross-drm');
    const device = newDeviceId();
    const bindingId = await bind(token, device, 'PLAYREADY');
    const binding = await app.gql<{ deviceBinding: { deviceId: string } }>(
      `query($id: ID!) { deviceBinding(id: $id) { deviceId } }`,
      { id: bindingId },
      { token },
    );
    const prId = binding.data!.deviceBinding.deviceId;
    expect(prId).toBe(drmDeviceId(device, 'pr'));

    // What the service would have sent before DRM_NOT_BOUND: the binding's id in a Widevine token.
    const client = createExpressPlayClient({
      tokenBaseUrl: sandbox.url,
      apiBaseUrl: sandbox.url,
      customerAuthenticator: AUTH,
      timeoutMs: 5000,
      retries: 0,
      breakerFailureThreshold: 1000,
      breakerResetMs: 1000,
      tokenTtlSeconds: TOKEN_TTL,
    });
    const { licenseUrl } = await client.requestToken({
      drm: 'wv',
      contentKey: 'c4'.repeat(16),
      kid: 'b8'.repeat(16),
      rights: { type: 'BuyToOwn' },
      cookie: 'cross-drm-cookie',
      deviceId: prId,
    });
    expect(await playLicenseUrl(licenseUrl, device)).toMatchObject({
      drm: 'wv',
      granted: false,
      status: 403,
      errorCode: -4001,
    });
  });
});

describe('ExpressPlay refusing a token for a recorded purchase', () => {
  it('leaves the client UPSTREAM_UNAVAILABLE with when to retry, and the retry gets the license', async () => {
    const token = await app.token('refused-once');
    const device = newDeviceId();
    const bindingId = await bind(token, device, 'FAIRPLAY');
    const input = { contentId: 'film', bindingId, drm: 'FAIRPLAY', idempotencyKey: 'refused-once-0001' };
    // -2019 "Insufficient tokens available": the account's credits, nothing the client can fix.
    refuseNext = new ExpressPlayRejectedError(
      'ExpressPlay token request rejected: HTTP 400, code -2019',
      'token',
      400,
      -2019,
    );
    const refused = await app.gql(PURCHASE, { input }, { token });
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 300 });
    expect(refused.errors?.[0]?.message).toMatch(/try again later/);

    const retried = await app.gql<{ purchase: { licenseUrl: string } }>(PURCHASE, { input }, { token });
    expect(retried.errors).toBeUndefined();
    expect((await playLicenseUrl(retried.data!.purchase.licenseUrl, device)).granted).toBe(true);
  });
});
