/**
 * The device policy, on BindingService itself: a fake ExpressPlay client, a PGlite copied from the migrated template
 * and a clock the test moves, so that a cool-down or a pending binding's expiry costs no waiting. These rules were
 * tested over HTTP (tests/integration/policy.test.ts keeps one flow of them there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceLimitReachedError } from '../../src/errors/app-error.js';
import { createServiceHarness, type ServiceHarness } from '../helpers/service-harness.js';

/**
 * One harness for the file (each test has its own user; the clock only moves forward), and one more where a test
 * needs other settings.
 */
const SHARED = { MAX_DEVICES: '1', DEVICE_SWAP_COOLDOWN: '3600', BINDING_PENDING_TTL: '60' };
let shared: ServiceHarness;
const own: ServiceHarness[] = [];
beforeAll(async () => {
  shared = await createServiceHarness(SHARED);
});
afterAll(async () => {
  await Promise.all([shared?.close(), ...own.map((h) => h.close())]);
});

async function harness(env?: Record<string, string>): Promise<ServiceHarness> {
  if (env === undefined) return shared;
  const h = await createServiceHarness(env);
  own.push(h);
  return h;
}

/** The error a promise rejects with (the test fails if it resolves). */
async function refusal(promise: Promise<unknown>): Promise<Error & { extensions?: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error, 'expected a refusal').toBeInstanceOf(Error);
  return error!;
}

/** bindDevice and a device playing the dummy stream in time: the binding's id, now BOUND. */
async function bindAndPlay(h: ServiceHarness, userId: string, deviceId = 'd'.repeat(32)): Promise<string> {
  const viewer = h.viewer(userId);
  const { binding } = await (await h.context(userId)).bindings.bind(viewer, { drm: 'wv' });
  h.expressplay.play(binding.cookie, deviceId);
  expect((await (await h.context(userId)).bindings.get(viewer, binding.id)).status).toBe('BOUND');
  return binding.id;
}

describe('BindingService: device slots', () => {
  it('allows MAX_DEVICES at once, then refuses with DEVICE_LIMIT_REACHED naming unbindDevice, before asking ExpressPlay', async () => {
    const h = await harness({ MAX_DEVICES: '2' });
    await bindAndPlay(h, 'two-devices');
    await bindAndPlay(h, 'two-devices');
    const tokensBefore = h.expressplay.tokenRequests.length;
    const error = await refusal((await h.context('two-devices')).bindings.bind(h.viewer('two-devices'), { drm: 'wv' }));
    expect(error.extensions?.code).toBe('DEVICE_LIMIT_REACHED');
    expect(error.message).toMatch(/unbindDevice/);
    expect(h.expressplay.tokenRequests).toHaveLength(tokensBefore);
  });

  it("holds a revoked bound device's slot for DEVICE_SWAP_COOLDOWN, says from when, then frees it", async () => {
    const h = await harness();
    const viewer = h.viewer('swapper');
    const first = await bindAndPlay(h, 'swapper');
    const revoked = await (await h.context('swapper')).bindings.unbind(viewer, first);
    expect(revoked.status).toBe('REVOKED');

    h.advance(60);
    const error = (await refusal(
      (await h.context('swapper')).bindings.bind(viewer, { drm: 'wv' }),
    )) as DeviceLimitReachedError;
    expect(error.extensions?.code).toBe('DEVICE_LIMIT_REACHED');
    expect(error.extensions?.retryAfterSeconds).toBe(3600 - 60);
    const freeAt = new Date(revoked.revokedAt!.getTime() + 3600_000);
    expect(error.message).toContain(`a new device can be bound from ${freeAt.toISOString()} `);
    expect(error.message).toMatch(/\(in (about 1 hour|59 minutes)\)\.$/);

    h.advance(3600 - 60);
    await expect((await h.context('swapper')).bindings.bind(viewer, { drm: 'wv' })).resolves.toBeDefined();
  });

  it("frees a PENDING binding's slot at once when it is revoked (no cool-down: no device was bound)", async () => {
    const h = await harness();
    const viewer = h.viewer('undecided');
    const { binding } = await (await h.context('undecided')).bindings.bind(viewer, { drm: 'wv' });
    await (await h.context('undecided')).bindings.unbind(viewer, binding.id);
    await expect((await h.context('undecided')).bindings.bind(viewer, { drm: 'wv' })).resolves.toBeDefined();
  });

  it('lets only one of several concurrent binds take the last slot', async () => {
    const h = await harness();
    const viewer = h.viewer('eager');
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, async () => (await h.context('eager')).bindings.bind(viewer, { drm: 'wv' })),
    );
    const codes = results
      .map((r) => (r.status === 'fulfilled' ? 'OK' : (r.reason as { extensions?: { code?: string } }).extensions?.code))
      .sort();
    expect(codes).toEqual([...Array<string>(5).fill('DEVICE_LIMIT_REACHED'), 'OK']);
    expect(await (await h.context('eager')).bindings.page(viewer, 100, null)).toHaveLength(1);
  });
});

describe('BindingService: a PENDING binding', () => {
  it('expires when nobody plays the dummy stream in time, stays expired when a device plays late, and frees its slot', async () => {
    const h = await harness();
    const viewer = h.viewer('slowpoke');
    const { binding } = await (await h.context('slowpoke')).bindings.bind(viewer, { drm: 'wv' });
    expect(binding.pendingExpiresAt.getTime() - h.now().getTime()).toBe(60_000);

    h.advance(61);
    // Played too late: ExpressPlay grants the dummy license, but the binding has already expired.
    h.expressplay.play(binding.cookie, 'a'.repeat(32));
    const expired = await (await h.context('slowpoke')).bindings.get(viewer, binding.id);
    expect(expired).toMatchObject({ status: 'EXPIRED', deviceId: null });
    await expect((await h.context('slowpoke')).bindings.bind(viewer, { drm: 'wv' })).resolves.toBeDefined();
  });

  it('is bound to the first device that played in time; a later device cannot take it over', async () => {
    const h = await harness();
    const viewer = h.viewer('first-wins');
    const { binding } = await (await h.context('first-wins')).bindings.bind(viewer, { drm: 'wv' });
    h.expressplay.play(binding.cookie, '1'.repeat(32), { outcome: 'denied' });
    h.expressplay.play(binding.cookie, '2'.repeat(32));
    h.expressplay.play(binding.cookie, '3'.repeat(32));
    const bound = await (await h.context('first-wins')).bindings.get(viewer, binding.id);
    expect(bound).toMatchObject({ status: 'BOUND', deviceId: '2'.repeat(32) });
    h.expressplay.play(binding.cookie, '4'.repeat(32));
    expect((await (await h.context('first-wins')).bindings.get(viewer, binding.id)).deviceId).toBe('2'.repeat(32));
  });

  it('asks ExpressPlay once per request, however often the request reads it, and not at all once it is BOUND', async () => {
    const h = await harness();
    const viewer = h.viewer('reader');
    const { binding } = await (await h.context('reader')).bindings.bind(viewer, { drm: 'wv' });
    const asked = () => h.expressplay.recordRequests.filter((cookie) => cookie === binding.cookie);
    const request = await h.context('reader');
    await Promise.all([
      request.bindings.get(viewer, binding.id),
      request.bindings.page(viewer, 100, null),
      request.bindings.get(viewer, binding.id),
    ]);
    expect(asked()).toHaveLength(1);

    h.expressplay.play(binding.cookie, 'b'.repeat(32));
    await (await h.context('reader')).bindings.get(viewer, binding.id);
    await (await h.context('reader')).bindings.get(viewer, binding.id);
    expect(asked()).toHaveLength(2);
  });

  it("is another user's: NOT_FOUND, as an id that does not exist", async () => {
    const h = await harness();
    const { binding } = await (await h.context('owner')).bindings.bind(h.viewer('owner'), { drm: 'wv' });
    const error = await refusal((await h.context('other')).bindings.get(h.viewer('other'), binding.id));
    expect(error.extensions?.code).toBe('NOT_FOUND');
  });
});
