/**
 * Device policy and per-user rate limits over HTTP: one purchase cannot be spread across devices or hammered. One flow
 * here; the policy's rules one by one (concurrent binds, pending expiry, cool-down arithmetic) are in
 * tests/service/binding-service.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { newDeviceId, playStream } from '../../src/device/simulated-device.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestStore } from '../helpers/test-store.js';

const BIND = `mutation { bindDevice(input: {}) { binding { id } contentUrl } }`;

async function bindAndPlay(app: TestApp, token: string): Promise<string> {
  const r = await app.gql<{ bindDevice: { binding: { id: string }; contentUrl: string } }>(BIND, {}, { token });
  expect(r.errors).toBeUndefined();
  await playStream(r.data!.bindDevice.contentUrl, newDeviceId());
  const b = await app.gql<{ deviceBinding: { status: string } }>(
    `query($id: ID!) { deviceBinding(id: $id) { status } }`,
    { id: r.data!.bindDevice.binding.id },
    { token },
  );
  expect(b.data!.deviceBinding.status).toBe('BOUND');
  return r.data!.bindDevice.binding.id;
}

describe('device policy', () => {
  it('holds a revoked slot for DEVICE_SWAP_COOLDOWN and allows MAX_DEVICES at once', async () => {
    const app = await startTestApp({ MAX_DEVICES: '2', DEVICE_SWAP_COOLDOWN: '3600' });
    try {
      const token = await app.token('swapper');
      const first = await bindAndPlay(app, token);
      await bindAndPlay(app, token);
      const third = await app.gql(BIND, {}, { token });
      expect(third.errors![0].extensions!.code).toBe('DEVICE_LIMIT_REACHED');
      expect(third.errors![0].message).toMatch(/unbindDevice/);

      const revoked = await app.gql<{ unbindDevice: { status: string; revokedAt: string } }>(
        `mutation($id: ID!) { unbindDevice(id: $id) { status revokedAt } }`,
        { id: first },
        { token },
      );
      expect(revoked.data!.unbindDevice.status).toBe('REVOKED');
      const swap = await app.gql(BIND, {}, { token });
      expect(swap.errors![0].extensions!.code).toBe('DEVICE_LIMIT_REACHED');
      expect(swap.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(3500);
      const freeAt = Date.parse(revoked.data!.unbindDevice.revokedAt) + 3600_000;
      const { message } = swap.errors![0];
      expect(message).toContain(`a new device can be bound from ${new Date(freeAt).toISOString()} `);
      expect(message).toMatch(/\(in (about 1 hour|60 minutes)\)\.$/);

      // A revoked binding can no longer be used to buy.
      const buy = await app.gql(
        `mutation($b: ID!) { purchase(input: { contentId: "sintel", bindingId: $b, idempotencyKey: "swapper-0001" }) { licenseUrl } }`,
        { b: first },
        { token },
      );
      expect(buy.errors![0].extensions!.code).toBe('DEVICE_NOT_BOUND');
    } finally {
      await app.stop();
    }
  });
});

describe('rate limits', () => {
  it('hold across two replicas sharing one database', async () => {
    const store = await createTestStore();
    const env = { RATE_LIMIT_PER_MINUTE: '3', MAX_DEVICES: '100' };
    const a = await startTestApp(env, { store });
    const b = await startTestApp({ ...env, AUTH_JWT_SECRET: '' }, { store });
    try {
      const tokenA = await a.token('busy');
      const tokenB = await b.token('busy');
      const codes: Array<string | undefined> = [];
      for (const [app, token] of [
        [a, tokenA],
        [b, tokenB],
        [a, tokenA],
        [b, tokenB],
      ] as const) {
        const r = await app.gql(`mutation { bindDevice(input: {}) { licenseUrl } }`, {}, { token });
        codes.push(r.errors?.[0]?.extensions?.code);
      }
      expect(codes).toEqual([undefined, undefined, undefined, 'RATE_LIMITED']);
      // Another user is not affected.
      expect(
        (await b.gql(`mutation { bindDevice(input: {}) { licenseUrl } }`, {}, { token: await b.token('calm') })).errors,
      ).toBeUndefined();
    } finally {
      await a.stop();
      await b.stop();
      await store.close();
    }
  });
});
