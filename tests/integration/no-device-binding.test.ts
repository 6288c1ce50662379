/**
 * ExpressPlay's tables list "Device ID binding is not supported" for FairPlay (-6008) and Widevine (-7002). Against
 * such an account a purchase still records the entitlement, the client is told which DRM to ask for instead, and
 * once the device is bound for that DRM, a retry with the same idempotencyKey gets a license only that device can
 * use (a binding holds one DRM's device id, so the FairPlay binding cannot serve it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDeviceId, playLicenseUrl, playStream } from '../../src/device/simulated-device.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { PURCHASE } from '../helpers/operations.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ SANDBOX_NO_DEVICE_BINDING: 'fp' });
});
afterAll(async () => {
  await app?.stop();
});

describe('an ExpressPlay account that does not bind FairPlay licenses to devices', () => {
  it('answers BAD_USER_INPUT on drm, keeps the purchase, and licenses it with another DRM', async () => {
    const token = await app.token('no-fp-binding');
    const device = newDeviceId();
    const bound = await app.gql<{ bindDevice: { binding: { id: string }; contentUrl: string } }>(
      `mutation { bindDevice(input: { drm: FAIRPLAY }) { binding { id } contentUrl } }`,
      {},
      { token },
    );
    expect(bound.errors).toBeUndefined();
    expect((await playStream(bound.data!.bindDevice.contentUrl, device)).granted).toBe(true);
    const bindingId = bound.data!.bindDevice.binding.id;

    const input = { contentId: 'sintel', bindingId, idempotencyKey: 'no-fp-binding-0001' };
    const refused = await app.gql(PURCHASE, { input: { ...input, drm: 'FAIRPLAY' } }, { token });
    expect(refused.errors).toEqual([
      {
        message: expect.stringMatching(/does not bind FAIRPLAY licenses.*Ask for PLAYREADY or WIDEVINE/),
        locations: expect.any(Array),
        path: ['purchase'],
        extensions: { code: 'BAD_USER_INPUT', field: 'drm' },
      },
    ]);

    const sameBinding = await app.gql(PURCHASE, { input: { ...input, drm: 'PLAYREADY' } }, { token });
    expect(sameBinding.errors?.[0]?.extensions).toEqual({ code: 'DRM_NOT_BOUND', field: 'drm' });

    // MAX_DEVICES is 1: the device gives up its FairPlay binding and binds for PlayReady.
    const unbound = await app.gql(
      `mutation($id: ID!) { unbindDevice(id: $id) { status } }`,
      { id: bindingId },
      { token },
    );
    expect(unbound.errors).toBeUndefined();
    const rebound = await app.gql<{ bindDevice: { binding: { id: string }; contentUrl: string } }>(
      `mutation { bindDevice(input: { drm: PLAYREADY }) { binding { id } contentUrl } }`,
      {},
      { token },
    );
    expect(rebound.errors).toBeUndefined();
    expect((await playStream(rebound.data!.bindDevice.contentUrl, device)).granted).toBe(true);
    const prBindingId = rebound.data!.bindDevice.binding.id;

    const retried = await app.gql<{ purchase: { entitlement: { id: string }; licenseUrl: string } }>(
      PURCHASE,
      { input: { ...input, bindingId: prBindingId, drm: 'PLAYREADY' } },
      { token },
    );
    expect(retried.errors).toBeUndefined();
    const list = await app.gql<{ entitlements: { nodes: Array<{ id: string }> } }>(
      `{ entitlements { nodes { id } } }`,
      {},
      { token },
    );
    expect(list.data!.entitlements.nodes).toEqual([{ id: retried.data!.purchase.entitlement.id }]);
    expect(await playLicenseUrl(retried.data!.purchase.licenseUrl, device)).toMatchObject({ granted: true });
    expect(await playLicenseUrl(retried.data!.purchase.licenseUrl, newDeviceId())).toMatchObject({ granted: false });
  });
});
