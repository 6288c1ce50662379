/**
 * The device-binding flow as an app runs it: bind, let the device play the dummy stream, wait for BOUND, then
 * buy and rent a title. Each license URL works only on the device that played the dummy stream.
 */
import { randomUUID } from 'node:crypto';
import type { EntitlementClient } from './client.js';
import {
  BindDeviceDocument,
  DeviceBindingDocument,
  PurchaseDocument,
  RentDocument,
  type DeviceBindingFieldsFragment,
  type Drm,
  type EntitlementFieldsFragment,
} from './gql/graphql.js';

/** What the app needs of the device: play an HLS URL with its DRM (the player asks the skd:// license server). */
export interface PlaybackDevice {
  play(contentUrl: string): Promise<void>;
}

export interface FlowOptions {
  readonly drm?: Drm;
  /** A label shown in the user's device list. */
  readonly deviceName?: string;
  /** DeviceBinding polls before giving up (default 10) and the first pause between them (default 250 ms, doubling). */
  readonly maxPolls?: number;
  readonly pollIntervalMs?: number;
}

export interface FlowResult {
  readonly binding: DeviceBindingFieldsFragment;
  readonly purchase: { readonly entitlement: EntitlementFieldsFragment; readonly licenseUrl: string };
  readonly rental: { readonly entitlement: EntitlementFieldsFragment; readonly licenseUrl: string };
}

export class BindingNotCompletedError extends Error {
  override readonly name = 'BindingNotCompletedError';
  constructor(readonly binding: DeviceBindingFieldsFragment) {
    super(`The device binding ${binding.id} is ${binding.status}, not BOUND`);
  }
}

export async function runFlow(
  client: EntitlementClient,
  device: PlaybackDevice,
  contentId: string,
  options: FlowOptions = {},
): Promise<FlowResult> {
  const drm = options.drm ?? 'FAIRPLAY';
  const { bindDevice } = await client.request(BindDeviceDocument, {
    input: { drm, ...(options.deviceName !== undefined ? { name: options.deviceName } : {}) },
  });
  await device.play(bindDevice.contentUrl);
  const binding = await waitUntilBound(client, bindDevice.binding.id, options);

  // One fresh key per purchase: a retry of the same purchase (after a timeout) must reuse it, a new one must not.
  const { purchase } = await client.request(PurchaseDocument, {
    input: { contentId, bindingId: binding.id, drm, idempotencyKey: randomUUID() },
  });
  const { rent } = await client.request(RentDocument, {
    input: { contentId, bindingId: binding.id, drm, idempotencyKey: randomUUID() },
  });
  return { binding, purchase, rental: rent };
}

/** Polls DeviceBinding, backing off, until BOUND; stops at once on EXPIRED or REVOKED. */
export async function waitUntilBound(
  client: EntitlementClient,
  bindingId: string,
  options: Pick<FlowOptions, 'maxPolls' | 'pollIntervalMs'> = {},
): Promise<DeviceBindingFieldsFragment> {
  const maxPolls = options.maxPolls ?? 10;
  let pause = options.pollIntervalMs ?? 250;
  for (let poll = 1; ; poll += 1) {
    const { deviceBinding } = await client.request(DeviceBindingDocument, { id: bindingId });
    if (deviceBinding.status === 'BOUND') return deviceBinding;
    if (deviceBinding.status !== 'PENDING' || poll >= maxPolls) throw new BindingNotCompletedError(deviceBinding);
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 5000);
  }
}
