/**
 * The first step of most flows over HTTP: start a binding, play its dummy stream on a simulated device, and so bind
 * that device. One copy for the integration files that need a bound device of a given DRM.
 */
import { expect } from 'vitest';
import { newDeviceId, playStream } from '../../src/device/simulated-device.js';
import type { TestApp } from './test-app.js';

export const BIND_DEVICE = /* GraphQL */ `
  mutation ($drm: Drm!, $name: String) {
    bindDevice(input: { drm: $drm, name: $name }) {
      binding {
        id
      }
      contentUrl
      licenseUrl
    }
  }
`;

/** Binds `device` (a new one by default) for `drm` (WIDEVINE by default); the binding is BOUND once this returns. */
export async function bindAndPlay(
  app: TestApp,
  token: string,
  options: { device?: string; drm?: string; name?: string } = {},
): Promise<{ bindingId: string; device: string }> {
  const device = options.device ?? newDeviceId();
  const bound = await app.gql<{ bindDevice: { binding: { id: string }; contentUrl: string } }>(
    BIND_DEVICE,
    { drm: options.drm ?? 'WIDEVINE', name: options.name },
    { token },
  );
  expect(bound.errors).toBeUndefined();
  expect((await playStream(bound.data!.bindDevice.contentUrl, device)).granted).toBe(true);
  return { bindingId: bound.data!.bindDevice.binding.id, device };
}
