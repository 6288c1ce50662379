/**
 * The delivery worker over a real store (PGlite, and PostgreSQL with TEST_DATABASE_URL) and a real local receiver:
 * signatures verify with the Standard Webhooks library, an outage then recovery delivers every event exactly once
 * per webhook-id, two workers over one database never send the same attempt twice, a delivery fails after its retry
 * window (test clock) and can be replayed under its id. Timers are short through the worker's options.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/domain/enums.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Store } from '../../src/store/types.js';
import { DeliveryWorker, type DeliveryWorkerOptions } from '../../src/webhooks/delivery-worker.js';
import { createWebhookSender } from '../../src/webhooks/webhook-sender.js';
import { generateWebhookSecret } from '../../src/webhooks/webhook-signature.js';
import { describeEachBackend } from '../helpers/needs.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const quiet = createLogger('silent');

describeEachBackend('webhook delivery', (backend) => {
  let db: TestDatabase;
  let store: Store;
  let receiver: WebhookReceiver;
  const workers: DeliveryWorker[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(backend);
    store = await db.openStore();
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    receiver.answer('ok');
  });
  afterAll(async () => {
    await receiver?.close();
    await store?.close();
    await db?.dispose();
  });

  /** A worker with short timers, on the real clock unless told otherwise. */
  const worker = (options: Partial<DeliveryWorkerOptions> = {}) => {
    const w = new DeliveryWorker({
      store,
      // Long: no receiver here is slow on purpose but the hung one (its own test), and a POST timed out by a loaded
      // machine would be sent again, rightly, but not what these tests count.
      send: createWebhookSender({ timeoutMs: 20_000, allowPrivate: true }),
      now: () => new Date(),
      pollIntervalMs: 20,
      timeoutMs: 20_000,
      retryWindowSeconds: 3600,
      backoffBaseMs: 10,
      backoffMaxMs: 200,
      logger: quiet,
      ...options,
    });
    workers.push(w);
    return w;
  };

  /** A fresh endpoint on the receiver for every event type (its deliveries are this test's alone once drained). */
  const endpoint = async (s: Store = store) => {
    const secret = generateWebhookSecret();
    const e = await s.createWebhookEndpoint({
      id: `ep_${randomUUID()}`,
      url: receiver.url,
      eventTypes: Object.values(EVENT_TYPES),
      secret,
      createdBy: 'admin-1',
      createdAt: T0,
    });
    return { ...e, secret };
  };
  /** `n` events (BINDING_STARTED), at `at`. */
  const events = async (n: number, at = new Date(), s: Store = store) => {
    const userId = `user-${randomUUID()}`;
    for (let i = 0; i < n; i += 1) {
      await s.createBinding({
        id: randomUUID(),
        userId,
        name: null,
        cookie: randomBytes(16).toString('hex'),
        drm: 'wv',
        createdAt: at,
        pendingExpiresAt: new Date(at.getTime() + 3600_000),
      });
    }
    return userId;
  };
  const statuses = async (endpointId: string) =>
    (await store.listWebhookDeliveriesPage({ endpointId }, 100, null)).map((d) => d.status);
  const ofEndpoint = async (endpointId: string) =>
    new Set((await store.listWebhookDeliveriesPage({ endpointId }, 100, null)).map((d) => d.id));

  it('an outage (500s, then resets) and a recovery deliver every event exactly once per webhook-id, signed', async () => {
    const ep = await endpoint();
    const mine = (r: { id: string }, ids: Set<string>) => ids.has(r.id);
    // 30 failed requests: 15 answered 500, 15 connections reset; then the receiver is back.
    const failures = 30;
    let seen = 0;
    let recoveredAt = 0;
    receiver.answer(() => {
      seen += 1;
      if (seen > failures) {
        recoveredAt ||= performance.now();
        return 'ok';
      }
      return seen <= failures / 2 ? 'fail' : 'reset';
    });
    const count = 25;
    const firstReceived = receiver.received.length;
    await events(count);
    const ids = await ofEndpoint(ep.id);
    expect(ids.size).toBe(count);
    const started = performance.now();
    worker().start();
    await expect.poll(() => statuses(ep.id), { timeout: 20_000, interval: 50 }).toEqual(Array(count).fill('DELIVERED'));
    const drainedAt = performance.now();
    const got = receiver.received.slice(firstReceived).filter((r) => mine(r, ids));
    const delivered = got.filter((r) => r.answered === 204);
    // Every webhook-id answered 2xx exactly once; retries of one id carry increasing attempt numbers.
    expect(delivered.map((r) => r.id).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const attempts = got.filter((r) => r.id === id).map((r) => r.attempt);
      expect(attempts).toEqual(attempts.map((_, i) => i + 1));
    }
    const verifier = new Webhook(ep.secret);
    for (const r of delivered) {
      const body = verifier.verify(r.body, {
        'webhook-id': r.id,
        'webhook-timestamp': r.timestamp,
        'webhook-signature': r.signature,
      });
      expect(body).toMatchObject({ type: 'BINDING_STARTED', data: { drm: 'WIDEVINE' } });
    }
    const attempts = (await store.webhookAttemptsOf([...ids])).length;
    expect(attempts).toBe(got.length);
    if (process.env.WEBHOOK_FIGURES) {
      console.info(
        `[${backend}] ${count} events, ${got.length} attempts (${got.length - count} failed), ` +
          `drained ${Math.round(drainedAt - recoveredAt)} ms after recovery, ${Math.round(drainedAt - started)} ms in all`,
      );
    }
    receiver.answer('ok');
  });

  it('two workers over one database never send the same attempt twice', async () => {
    // Two stores (connection pools) on one PostgreSQL database, as two replicas; PGlite is one session: one store.
    const second = backend === 'postgres' ? await db.openStore() : store;
    try {
      const ep = await endpoint();
      const first = receiver.received.length;
      await events(40);
      const ids = await ofEndpoint(ep.id);
      worker().start();
      worker({ store: second }).start();
      await expect.poll(() => statuses(ep.id), { timeout: 20_000, interval: 50 }).toEqual(Array(40).fill('DELIVERED'));
      const got = receiver.received.slice(first).filter((r) => ids.has(r.id));
      const pairs = got.map((r) => `${r.id}#${r.attempt}`);
      expect(new Set(pairs).size).toBe(pairs.length);
      // And, with a receiver that always answers, each delivery was sent once.
      expect(new Set(got.map((r) => r.id)).size).toBe(40);
      expect(got.map((r) => r.attempt)).toEqual(Array(40).fill(1));
    } finally {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      if (second !== store) await second.close();
    }
  });

  it('is woken by a commit in this process rather than waiting for its next poll', async () => {
    const ep = await endpoint();
    // Started first: its first round finds nothing, and its next poll is ten minutes away.
    worker({ pollIntervalMs: 600_000 }).start();
    await events(3);
    await expect.poll(() => statuses(ep.id), { timeout: 5000 }).toEqual(Array(3).fill('DELIVERED'));
  });

  it('fails a delivery after its retry window (test clock), then a replay delivers it under the same id', async () => {
    let clock = T0.getTime() + 86_400_000;
    const now = () => new Date(clock);
    const ep = await endpoint();
    await events(1, now());
    const [delivery] = await store.listWebhookDeliveriesPage({ endpointId: ep.id }, 1, null);
    receiver.answer('fail');
    // Retry window 60 s; waits of at most 10, 20, 40 s (the jitter picks nearly the most): after the third try at
    // 29.97 s, the next would fall at 69.93 s, past the window, so the third failure is the last.
    const w = worker({ now, retryWindowSeconds: 60, backoffBaseMs: 10_000, backoffMaxMs: 60_000, random: () => 0.999 });
    const tries: string[] = [];
    for (let round = 0; round < 10; round += 1) {
      await w.runOnce();
      const d = await store.getWebhookDelivery(delivery.id);
      tries.push(`${d!.status}@${(clock - T0.getTime() - 86_400_000) / 1000}`);
      if (d!.status === 'FAILED') break;
      clock = d!.nextAttemptAt.getTime();
    }
    expect(tries).toEqual(['PENDING@0', 'PENDING@9.99', 'FAILED@29.97']);
    const failed = await store.getWebhookDelivery(delivery.id);
    expect(failed).toMatchObject({ status: 'FAILED', lastError: 'HTTP 500' });
    // Nothing more is sent for it.
    clock += 3600_000;
    expect(await w.runOnce()).toBe(0);

    receiver.answer('ok');
    await store.replayWebhookDelivery(delivery.id, now());
    await w.runOnce();
    const replayed = await store.getWebhookDelivery(delivery.id);
    expect(replayed).toMatchObject({ status: 'DELIVERED', attempts: failed!.attempts + 1 });
    const sent = receiver.received.filter((r) => r.id === delivery.id);
    expect(sent.map((r) => [r.attempt, r.answered])).toEqual([
      ...Array.from({ length: failed!.attempts }, (_, i) => [i + 1, 500]),
      [failed!.attempts + 1, 204],
    ]);
  });

  it('stops at once while a receiver hangs, and the held delivery is sent again after its lease', async () => {
    let clock = T0.getTime() + 2 * 86_400_000;
    const now = () => new Date(clock);
    const ep = await endpoint();
    await events(1, now());
    receiver.answer('hang');
    const w = worker({ now, timeoutMs: 25_000, send: createWebhookSender({ timeoutMs: 25_000, allowPrivate: true }) });
    const round = w.runOnce();
    const ids = await ofEndpoint(ep.id);
    await expect.poll(() => receiver.received.filter((r) => ids.has(r.id)).length).toBe(1);
    const started = performance.now();
    w.start();
    await w.stop();
    await round.catch(() => undefined);
    expect(performance.now() - started).toBeLessThan(2000);
    const [held] = await store.listWebhookDeliveriesPage({ endpointId: ep.id }, 1, null);
    expect(held).toMatchObject({ status: 'SENDING', attempts: 1 });
    receiver.answer('ok');
    clock = held.nextAttemptAt.getTime();
    await worker({ now }).runOnce();
    expect(await store.getWebhookDelivery(held.id)).toMatchObject({ status: 'DELIVERED', attempts: 2 });
  });
});
