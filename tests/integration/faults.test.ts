/**
 * ExpressPlay slow, down, failing or answering garbage: the API answers UPSTREAM_UNAVAILABLE within a bounded
 * time, fails fast while the circuit is open, and loses no entitlement.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newDeviceId, playLicenseUrl, playStream } from '../../src/device/simulated-device.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const TIMEOUT_MS = 300;
const RETRIES = 1;
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    EXPRESSPLAY_TIMEOUT_MS: String(TIMEOUT_MS),
    EXPRESSPLAY_RETRIES: String(RETRIES),
    EXPRESSPLAY_BREAKER_THRESHOLD: '3',
    EXPRESSPLAY_BREAKER_RESET_MS: '500',
  });
});
afterAll(async () => {
  await app?.stop();
});
beforeEach(async () => {
  app.sandbox!.setFaults({});
  // Let an open circuit from the previous test half-open again.
  await new Promise((r) => setTimeout(r, 550));
});

const PURCHASE = `mutation($input: PurchaseInput!) { purchase(input: $input) { entitlement { id } licenseUrl } }`;

async function boundUser(name: string): Promise<{ token: string; bindingId: string; device: string }> {
  const token = await app.token(name);
  const device = newDeviceId();
  const r = await app.gql<{ bindDevice: { binding: { id: string }; contentUrl: string } }>(
    `mutation { bindDevice(input: {}) { binding { id } contentUrl } }`,
    {},
    { token },
  );
  expect(r.errors).toBeUndefined();
  expect((await playStream(r.data!.bindDevice.contentUrl, device)).granted).toBe(true);
  const b = await app.gql<{ deviceBinding: { status: string } }>(
    `query($id: ID!) { deviceBinding(id: $id) { status } }`,
    { id: r.data!.bindDevice.binding.id },
    { token },
  );
  expect(b.data!.deviceBinding.status).toBe('BOUND');
  return { token, bindingId: r.data!.bindDevice.binding.id, device };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
}

describe('ExpressPlay faults', () => {
  it('a purchase recorded before an outage is returned, with its license, by a retry with the same key', async () => {
    const { token, bindingId, device } = await boundUser('fault-1');
    const input = { contentId: 'sintel', bindingId, idempotencyKey: 'fault-1-key-0001' };
    app.sandbox!.setFaults({ outage: true, endpoints: ['token'] });
    const [failed, ms] = await timed(() => app.gql(PURCHASE, { input }, { token }));
    expect(failed.errors![0].extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(failed.errors![0].message).toMatch(/try again/i);
    expect(ms).toBeLessThan(5000);
    const stored = await app.gql<{ entitlements: { nodes: Array<{ id: string; contentId: string }> } }>(
      `{ entitlements { nodes { id contentId } } }`,
      {},
      { token },
    );
    expect(stored.data!.entitlements.nodes).toEqual([expect.objectContaining({ contentId: 'sintel' })]);

    app.sandbox!.setFaults({});
    await new Promise((r) => setTimeout(r, 550));
    const retried = await app.gql<{ purchase: { entitlement: { id: string }; licenseUrl: string } }>(
      PURCHASE,
      { input },
      { token },
    );
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.purchase.entitlement.id).toBe(stored.data!.entitlements.nodes[0].id);
    expect((await playLicenseUrl(retried.data!.purchase.licenseUrl, device)).granted).toBe(true);
  });

  it('a slow ExpressPlay times out within the configured bound', async () => {
    const { token, bindingId } = await boundUser('fault-2');
    app.sandbox!.setFaults({ latencyMs: 3000, endpoints: ['token'] });
    const [r, ms] = await timed(() =>
      app.gql(PURCHASE, { input: { contentId: 'sintel', bindingId, idempotencyKey: 'fault-2-key-0001' } }, { token }),
    );
    expect(r.errors![0].extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
    // (retries + 1) attempts of TIMEOUT_MS each, plus backoff: far below the 3 s the sandbox would take.
    expect(ms).toBeLessThan((RETRIES + 1) * TIMEOUT_MS + 1500);
  });

  it.each([
    ['5xx errors', { errorRate: 1 }],
    ['garbage answers', { garbage: true }],
  ])('%s become UPSTREAM_UNAVAILABLE', async (_name, faults) => {
    const token = await app.token(`fault-3-${_name.length}`);
    app.sandbox!.setFaults({ ...faults, endpoints: ['token'] });
    const r = await app.gql(`mutation { bindDevice(input: {}) { licenseUrl } }`, {}, { token });
    expect(r.errors![0].extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
    // Nothing half-made: the failed bindDevice left no binding behind to take a device slot.
    const list = await app.gql<{ deviceBindings: { nodes: unknown[] } }>(
      `{ deviceBindings { nodes { id } } }`,
      {},
      { token },
    );
    expect(list.data!.deviceBindings.nodes).toEqual([]);
  });

  it('record retrieval down: deviceBinding says UPSTREAM_UNAVAILABLE, then recovers', async () => {
    const token = await app.token('fault-4');
    const r = await app.gql<{ bindDevice: { binding: { id: string }; contentUrl: string } }>(
      `mutation { bindDevice(input: {}) { binding { id } contentUrl } }`,
      {},
      { token },
    );
    await playStream(r.data!.bindDevice.contentUrl, newDeviceId());
    const id = r.data!.bindDevice.binding.id;
    app.sandbox!.setFaults({ outage: true, endpoints: ['getrecord'] });
    const down = await app.gql(`query($id: ID!) { deviceBinding(id: $id) { status } }`, { id }, { token });
    expect(down.errors![0].extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
    app.sandbox!.setFaults({});
    await new Promise((r) => setTimeout(r, 550));
    const up = await app.gql<{ deviceBinding: { status: string } }>(
      `query($id: ID!) { deviceBinding(id: $id) { status } }`,
      { id },
      { token },
    );
    expect(up.data!.deviceBinding.status).toBe('BOUND');
  });

  it('fails fast while the circuit is open', async () => {
    const token = await app.token('fault-5');
    app.sandbox!.setFaults({ errorRate: 1, endpoints: ['token'] });
    for (let i = 0; i < 3; i++) await app.gql(`mutation { bindDevice(input: {}) { licenseUrl } }`, {}, { token });
    app.sandbox!.resetStats();
    const [r, ms] = await timed(() => app.gql(`mutation { bindDevice(input: {}) { licenseUrl } }`, {}, { token }));
    expect(r.errors![0].extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(app.sandbox!.stats().token).toBe(0);
    // Answered without waiting for even one attempt's timeout (the margin is for a loaded CI machine).
    expect(ms).toBeLessThan(TIMEOUT_MS);
  });
});
