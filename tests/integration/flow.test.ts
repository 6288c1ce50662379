/**
 * The whole device-binding flow over HTTP: the real app, the embedded ExpressPlay sandbox and the simulated
 * device. Nothing is faked: the device's license requests go to the sandbox, which enforces the token's device.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drmDeviceId, newDeviceId, playLicenseUrl, playStream } from '../../src/device/simulated-device.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { describeEachBackend } from '../helpers/needs.js';
import { UPSERT, PURCHASE, RENT } from '../helpers/operations.js';

const BIND = /* GraphQL */ `
  mutation Bind($input: BindDeviceInput!) {
    bindDevice(input: $input) {
      binding {
        id
        status
        deviceId
        drm
        expiresAt
      }
      licenseUrl
      contentUrl
    }
  }
`;
const BINDING = /* GraphQL */ `
  query Binding($id: ID!) {
    deviceBinding(id: $id) {
      id
      status
      deviceId
      boundAt
    }
  }
`;
const LICENSE = /* GraphQL */ `
  query License($contentId: ID!, $bindingId: ID!) {
    licenseToken(contentId: $contentId, bindingId: $bindingId) {
      licenseUrl
      entitlement {
        id
      }
    }
  }
`;

const KEY_ID = 'a1'.repeat(16);
const CEK = 'c3'.repeat(16);
const IV = 'e5'.repeat(16);

// Run against every store backend this run has: PGlite always, a real PostgreSQL when TEST_DATABASE_URL is set.
describeEachBackend('on', (backend) => {
  let app: TestApp;
  let admin: string;

  beforeAll(async () => {
    app = await startTestApp({}, {}, backend);
    admin = await app.token('admin-1', { admin: true });
    const film = await app.gql(
      UPSERT,
      {
        input: {
          id: 'film-1',
          title: 'Film One',
          keyId: KEY_ID,
          contentKey: CEK,
          iv: IV,
          rental: { periodSeconds: 3600, playSeconds: 1800 },
        },
      },
      { token: admin },
    );
    expect(film.errors).toBeUndefined();
    const short = await app.gql(
      UPSERT,
      {
        input: {
          id: 'short-rental',
          title: 'Short',
          keyId: 'b2'.repeat(16),
          contentKey: 'd4'.repeat(16),
          iv: IV,
          rental: { periodSeconds: 2, playSeconds: 1 },
        },
      },
      { token: admin },
    );
    expect(short.errors).toBeUndefined();
  });

  afterAll(async () => {
    await app?.stop();
  });

  /** bindDevice, play the dummy stream on `deviceId`, and return the BOUND binding's id. */
  async function bindDevice(token: string, deviceId: string): Promise<string> {
    const bound = await app.gql<{ bindDevice: { binding: { id: string; status: string }; contentUrl: string } }>(
      BIND,
      { input: { name: 'phone' } },
      { token },
    );
    expect(bound.errors).toBeUndefined();
    const { binding, contentUrl } = bound.data!.bindDevice;
    expect(binding.status).toBe('PENDING');
    const played = await playStream(contentUrl, deviceId);
    expect(played.granted).toBe(true);
    return binding.id;
  }

  describe('device binding flow', () => {
    it('binds a device, sells it a title, and licenses only that device', async () => {
      const token = await app.token('alice');
      const device = newDeviceId();
      const bound = await app.gql<{
        bindDevice: {
          binding: { id: string; status: string; deviceId: null; drm: string; expiresAt: string };
          licenseUrl: string;
          contentUrl: string;
        };
      }>(BIND, { input: {} }, { token });
      expect(bound.errors).toBeUndefined();
      const { binding, licenseUrl, contentUrl } = bound.data!.bindDevice;
      expect(binding).toMatchObject({ status: 'PENDING', deviceId: null, drm: 'FAIRPLAY' });
      expect(licenseUrl).toContain('ExpressPlayToken=');
      expect(contentUrl).toMatch(/\.m3u8\?/);

      const pending = await app.gql<{ deviceBinding: { status: string } }>(BINDING, { id: binding.id }, { token });
      expect(pending.data!.deviceBinding.status).toBe('PENDING');

      // The dummy stream's key URI is the skd:// form of the dummy license URL.
      const playlist = await (await fetch(contentUrl)).text();
      expect(playlist).toContain(`URI="skd://${licenseUrl.replace(/^https?:\/\//, '')}"`);
      expect((await playStream(contentUrl, device)).granted).toBe(true);

      const after = await app.gql<{ deviceBinding: { status: string; deviceId: string; boundAt: string } }>(
        BINDING,
        { id: binding.id },
        { token },
      );
      // The id the device's FairPlay reported: each DRM on a device has its own.
      expect(after.data!.deviceBinding).toMatchObject({ status: 'BOUND', deviceId: drmDeviceId(device, 'fp') });
      expect(after.data!.deviceBinding.boundAt).toBeTruthy();

      const bought = await app.gql<{
        purchase: { entitlement: { kind: string; expiresAt: null; bindingId: string }; licenseUrl: string };
      }>(
        PURCHASE,
        { input: { contentId: 'film-1', bindingId: binding.id, idempotencyKey: 'alice-film-1-0001' } },
        { token },
      );
      expect(bought.errors).toBeUndefined();
      expect(bought.data!.purchase.entitlement).toMatchObject({
        kind: 'PURCHASE',
        expiresAt: null,
        bindingId: binding.id,
      });

      const mine = await playLicenseUrl(bought.data!.purchase.licenseUrl, device);
      expect(mine).toMatchObject({ granted: true, license: { keyId: KEY_ID, contentKey: CEK, expiresAt: null } });

      const other = await playLicenseUrl(bought.data!.purchase.licenseUrl, newDeviceId());
      expect(other).toMatchObject({ granted: false, status: 403, errorCode: -4001 });

      // Owned content gets a fresh token again, for the same device only.
      const again = await app.gql<{ licenseToken: { licenseUrl: string } }>(
        LICENSE,
        { contentId: 'film-1', bindingId: binding.id },
        { token },
      );
      expect(again.errors).toBeUndefined();
      expect((await playLicenseUrl(again.data!.licenseToken.licenseUrl, device)).granted).toBe(true);
    });

    it.each(['WIDEVINE', 'PLAYREADY'])('binds and licenses with %s as well', async (drm) => {
      const token = await app.token(`multi-${drm}`);
      const device = newDeviceId();
      const bound = await app.gql<{ bindDevice: { binding: { id: string; drm: string }; licenseUrl: string } }>(
        BIND,
        { input: { drm } },
        { token },
      );
      expect(bound.data!.bindDevice.binding.drm).toBe(drm);
      expect((await playLicenseUrl(bound.data!.bindDevice.licenseUrl, device)).granted).toBe(true);
      const id = bound.data!.bindDevice.binding.id;
      const bought = await app.gql<{ purchase: { licenseUrl: string } }>(
        PURCHASE,
        { input: { contentId: 'film-1', bindingId: id, drm, idempotencyKey: `multi-${drm}-0001` } },
        { token },
      );
      expect(bought.errors).toBeUndefined();
      expect(await playLicenseUrl(bought.data!.purchase.licenseUrl, device)).toMatchObject({
        granted: true,
        license: { keyId: KEY_ID },
      });
      expect(await playLicenseUrl(bought.data!.purchase.licenseUrl, newDeviceId())).toMatchObject({
        granted: false,
        errorCode: -4001,
      });
    });

    it('returns the same entitlement for a repeated idempotency key, also when sent concurrently', async () => {
      const token = await app.token('bob');
      const bindingId = await bindDevice(token, newDeviceId());
      const input = { contentId: 'film-1', bindingId, idempotencyKey: 'bob-film-1-once' };
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          app.gql<{ purchase: { entitlement: { id: string } } }>(PURCHASE, { input }, { token }),
        ),
      );
      const ids = new Set(results.map((r) => r.data?.purchase.entitlement.id));
      expect(results.every((r) => r.errors === undefined)).toBe(true);
      expect(ids.size).toBe(1);
      const list = await app.gql<{ entitlements: { nodes: Array<{ id: string }> } }>(
        `{ entitlements { nodes { id } } }`,
        {},
        { token },
      );
      expect(list.data!.entitlements.nodes).toHaveLength(1);
    });

    // The rental's window and the terms kept across catalog changes are in tests/service/entitlement-service.test.ts,
    // on a clock that moves: here, the play time the sandbox enforces on the device.
    it('refuses a rental after its play time', async () => {
      const token = await app.token('carol');
      const device = newDeviceId();
      const bindingId = await bindDevice(token, device);
      const rented = await app.gql<{
        rent: { entitlement: { id: string; kind: string; expiresAt: string }; licenseUrl: string };
      }>(RENT, { input: { contentId: 'short-rental', bindingId, idempotencyKey: 'carol-short-0001' } }, { token });
      expect(rented.errors).toBeUndefined();
      expect(rented.data!.rent.entitlement.kind).toBe('RENTAL');
      const first = await playLicenseUrl(rented.data!.rent.licenseUrl, device);
      expect(first.granted).toBe(true);
      await new Promise((r) => setTimeout(r, 1200));
      const replay = await playLicenseUrl(rented.data!.rent.licenseUrl, device);
      expect(replay).toMatchObject({ granted: false, status: 403, errorCode: -4010 });
    });

    it("keeps one user's bindings and entitlements away from another", async () => {
      const dave = await app.token('dave');
      const eve = await app.token('eve');
      const bindingId = await bindDevice(dave, newDeviceId());
      const peek = await app.gql(BINDING, { id: bindingId }, { token: eve });
      expect(peek.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const buy = await app.gql(
        PURCHASE,
        { input: { contentId: 'film-1', bindingId, idempotencyKey: 'eve-steals-0001' } },
        { token: eve },
      );
      expect(buy.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const unbind = await app.gql(
        `mutation($id: ID!) { unbindDevice(id: $id) { status } }`,
        { id: bindingId },
        { token: eve },
      );
      expect(unbind.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const list = await app.gql<{ deviceBindings: { nodes: unknown[] } }>(
        `{ deviceBindings { nodes { id } } }`,
        {},
        { token: eve },
      );
      expect(list.data!.deviceBindings.nodes).toEqual([]);
    });

    it('asks ExpressPlay once per cookie however many aliases need it', async () => {
      const token = await app.token('frank');
      const bound = await app.gql<{ bindDevice: { binding: { id: string }; contentUrl: string } }>(
        BIND,
        { input: {} },
        { token },
      );
      const id = bound.data!.bindDevice.binding.id;
      await playStream(bound.data!.bindDevice.contentUrl, newDeviceId());
      app.sandbox!.resetStats();
      const aliases = Array.from({ length: 20 }, (_, i) => `b${i}: deviceBinding(id: $id) { status deviceId }`).join(
        '\n',
      );
      const result = await app.gql<Record<string, { status: string }>>(
        `query($id: ID!) { ${aliases} deviceBindings { nodes { status } } }`,
        { id },
        { token },
      );
      expect(result.errors).toBeUndefined();
      const { deviceBindings, ...one } = result.data! as Record<string, { status: string }> & {
        deviceBindings: { nodes: Array<{ status: string }> };
      };
      expect(Object.values(one).every((b) => b.status === 'BOUND')).toBe(true);
      expect(deviceBindings.nodes).toEqual([{ status: 'BOUND' }]);
      expect(app.sandbox!.stats().getrecord).toBe(1);
      // Once BOUND, the device id is stored: a later request needs no lookup.
      app.sandbox!.resetStats();
      await app.gql(`query($id: ID!) { deviceBinding(id: $id) { status } }`, { id }, { token });
      expect(app.sandbox!.stats().getrecord).toBe(0);
    });
  });
});
