/**
 * The example web client (examples/web-client) against the real app and sandbox: its flow must leave licenses
 * that only the device that played the dummy stream can use, and its generated types must match the API.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  createEntitlementClient,
  EntitlementApiError,
  type EntitlementClient,
} from '../../examples/web-client/src/client.js';
import { runFlow, type FlowResult, type PlaybackDevice } from '../../examples/web-client/src/flow.js';
import {
  ContentsDocument,
  DeviceBindingsDocument,
  EntitlementsDocument,
  LicenseTokenDocument,
  UnbindDeviceDocument,
  type ContentsQuery,
  type EntitlementKind,
  type LicenseTokenQuery,
  type LicenseTokenQueryVariables,
} from '../../examples/web-client/src/gql/graphql.js';
import { drmDeviceId, newDeviceId, playLicenseUrl, playStream } from '../../src/device/simulated-device.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app?.stop();
});

/** The sandbox's simulated player, as the app's `PlaybackDevice`. */
function simulatedDevice(deviceId: string): PlaybackDevice {
  return {
    async play(contentUrl) {
      const outcome = await playStream(contentUrl, deviceId);
      if (!outcome.granted) throw new Error(`dummy stream refused: ${outcome.errorMessage}`);
    },
  };
}

async function clientFor(user: string): Promise<EntitlementClient> {
  return createEntitlementClient({ url: app.url, token: await app.token(user) });
}

describe('example web client', () => {
  it('runs the flow, and the licenses play on that device only', async () => {
    const client = await clientFor('web-alice');
    const { contents } = await client.request(ContentsDocument, {});
    expectTypeOf(contents).toEqualTypeOf<ContentsQuery['contents']>();
    const title = contents.edges.map((e) => e.node).find((c) => c.fairPlayReady);
    expect(title).toBeDefined();

    const device = newDeviceId();
    const result = await runFlow(client, simulatedDevice(device), title!.id, {
      deviceName: 'test phone',
      pollIntervalMs: 20,
    });
    expectTypeOf(result).toEqualTypeOf<FlowResult>();
    expectTypeOf(result.purchase.entitlement.kind).toEqualTypeOf<EntitlementKind>();
    expectTypeOf(result.rental.entitlement.expiresAt).toEqualTypeOf<string | null>();
    // The binding holds the id the device's FairPlay reported, which is the device's and FairPlay's only.
    expect(result.binding).toMatchObject({
      status: 'BOUND',
      deviceId: drmDeviceId(device, 'fp'),
      name: 'test phone',
      drm: 'FAIRPLAY',
    });
    expect(result.purchase.entitlement).toMatchObject({
      kind: 'PURCHASE',
      contentId: title!.id,
      expiresAt: null,
      bindingId: result.binding.id,
    });
    expect(result.rental.entitlement).toMatchObject({ kind: 'RENTAL', contentId: title!.id });
    expect(Date.parse(result.rental.entitlement.expiresAt!)).toBeGreaterThan(Date.now());

    for (const { licenseUrl } of [result.purchase, result.rental]) {
      expect(await playLicenseUrl(licenseUrl, device)).toMatchObject({
        granted: true,
        license: { keyId: title!.keyId },
      });
      expect(await playLicenseUrl(licenseUrl, newDeviceId())).toMatchObject({
        granted: false,
        status: 403,
        errorCode: -4001,
      });
    }

    const variables: LicenseTokenQueryVariables = { contentId: title!.id, bindingId: result.binding.id };
    const again: LicenseTokenQuery = await client.request(LicenseTokenDocument, variables);
    expect((await playLicenseUrl(again.licenseToken.licenseUrl, device)).granted).toBe(true);

    const entitlements = (await client.request(EntitlementsDocument, {})).entitlements.edges.map((e) => e.node);
    expect(entitlements.map((e) => e.kind).sort()).toEqual(['PURCHASE', 'RENTAL']);
    expect(entitlements[0].content.title).toBe(title!.title);
  });

  it('lists and unbinds devices', async () => {
    const client = await clientFor('web-bob');
    const result = await runFlow(client, simulatedDevice(newDeviceId()), 'sintel', { pollIntervalMs: 20 });
    const { deviceBindings } = await client.request(DeviceBindingsDocument, {});
    expect(deviceBindings.edges.map((e) => e.node.id)).toEqual([result.binding.id]);
    const { unbindDevice } = await client.request(UnbindDeviceDocument, { id: result.binding.id });
    expect(unbindDevice.status).toBe('REVOKED');
    expect(unbindDevice.revokedAt).toBeTruthy();
  });

  it("throws EntitlementApiError with the API's code", async () => {
    const client = await clientFor('web-carol');
    const failure = client.request(LicenseTokenDocument, { contentId: 'sintel', bindingId: 'no-such-binding' });
    await expect(failure).rejects.toBeInstanceOf(EntitlementApiError);
    await expect(failure).rejects.toMatchObject({ code: 'NOT_FOUND', status: 200 });
    const anonymous = createEntitlementClient({ url: `${app.url}/graphql` });
    await expect(anonymous.request(EntitlementsDocument, {})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
