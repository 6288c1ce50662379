import { afterEach, describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitState } from '../../../src/datasources/expressplay/circuit-breaker.js';
import {
  ExpressPlayCircuitOpenError,
  ExpressPlayRejectedError,
  ExpressPlayUnavailableError,
} from '../../../src/datasources/expressplay/errors.js';
import { startFakeExpressPlay, type FakeExpressPlay, type FakeResponse } from '../../helpers/fake-upstream.js';
import {
  COOKIE,
  FP_LICENSE_URL,
  expectNoSecrets,
  fpBuy,
  recordingMetrics,
  rejectionOf,
  testClient,
} from './support.js';

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, then half-opens for one trial after resetMs', () => {
    const clock = fakeClock();
    const states: CircuitState[] = [];
    const breaker = new CircuitBreaker({
      failureThreshold: 3,
      resetMs: 500,
      now: clock.now,
      onStateChange: (s) => states.push(s),
    });

    for (let i = 0; i < 2; i += 1) {
      expect(breaker.acquire().allowed).toBe(true);
      breaker.failure();
    }
    expect(breaker.state).toBe('closed');
    expect(breaker.acquire().allowed).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');

    clock.advance(200);
    expect(breaker.acquire()).toEqual({ allowed: false, retryAfterMs: 300 });
    clock.advance(300);
    expect(breaker.acquire().allowed).toBe(true); // the trial
    expect(breaker.state).toBe('half-open');
    expect(breaker.acquire().allowed).toBe(false); // only one trial at a time
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.acquire().allowed).toBe(true);
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('reopens when the trial fails, for another full resetMs', () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetMs: 500, now: clock.now });
    breaker.acquire();
    breaker.failure();
    clock.advance(500);
    expect(breaker.acquire().allowed).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    clock.advance(499);
    expect(breaker.acquire().allowed).toBe(false);
    clock.advance(1);
    expect(breaker.acquire().allowed).toBe(true);
  });

  it('counts consecutive failures only: a success resets the count', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, resetMs: 500, now: () => 0 });
    breaker.failure();
    breaker.success();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
  });
});

describe('the client behind the breaker', () => {
  let fake: FakeExpressPlay | undefined;
  let response: FakeResponse;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const ok: FakeResponse = { status: 200, contentType: 'text/uri-list', body: FP_LICENSE_URL };
  const down: FakeResponse = { status: 503, body: 'down' };

  async function setup(threshold = 2, resetMs = 1000) {
    response = down;
    fake = await startFakeExpressPlay(() => response);
    const clock = fakeClock();
    const metrics = recordingMetrics();
    const client = testClient(
      fake.url,
      { retries: 1, breakerFailureThreshold: threshold, breakerResetMs: resetMs },
      { now: clock.now, metrics },
    );
    return { upstream: fake, clock, metrics, client };
  }

  it('opens after N unavailable calls and then fails fast without any HTTP', async () => {
    const { upstream, metrics, client } = await setup(2);
    for (let i = 0; i < 2; i += 1) {
      expect(await rejectionOf(client.requestToken(fpBuy))).toBeInstanceOf(ExpressPlayUnavailableError);
    }
    expect(upstream.calls).toHaveLength(4); // 2 calls x (1 + 1 retry)

    response = ok; // even a recovered upstream is not asked while the circuit is open
    const error = await rejectionOf(client.requestToken(fpBuy));
    expect(error).toBeInstanceOf(ExpressPlayCircuitOpenError);
    expect(error).toBeInstanceOf(ExpressPlayUnavailableError);
    expect((error as Error).message).toMatch(/^ExpressPlay is unavailable: circuit open/);
    expect(error).toMatchObject({ operation: 'token', status: undefined, retryAfterMs: 1000 });
    expectNoSecrets(error);
    expect(upstream.calls).toHaveLength(4);
    expect(metrics.records.map((r) => r.outcome)).toEqual(['unavailable', 'unavailable', 'circuit_open']);
  });

  it('half-opens after resetMs: a successful trial closes the circuit', async () => {
    const { upstream, clock, client } = await setup(1, 1000);
    await rejectionOf(client.requestToken(fpBuy));
    clock.advance(999);
    expect(await rejectionOf(client.requestToken(fpBuy))).toBeInstanceOf(ExpressPlayCircuitOpenError);
    const callsWhileOpen = upstream.calls.length;

    clock.advance(1);
    response = ok;
    await expect(client.requestToken(fpBuy)).resolves.toEqual({ licenseUrl: FP_LICENSE_URL });
    await expect(client.requestToken(fpBuy)).resolves.toEqual({ licenseUrl: FP_LICENSE_URL });
    expect(upstream.calls).toHaveLength(callsWhileOpen + 2);
  });

  it('half-opens after resetMs: a failed trial opens it again', async () => {
    const { upstream, clock, client } = await setup(1, 1000);
    await rejectionOf(client.requestToken(fpBuy));
    clock.advance(1000);
    expect(await rejectionOf(client.requestToken(fpBuy))).not.toBeInstanceOf(ExpressPlayCircuitOpenError);
    const calls = upstream.calls.length;
    expect(await rejectionOf(client.requestToken(fpBuy))).toBeInstanceOf(ExpressPlayCircuitOpenError);
    expect(upstream.calls).toHaveLength(calls);
  });

  it('lets a single trial through while half-open', async () => {
    const { upstream, clock, client } = await setup(1, 1000);
    await rejectionOf(client.requestToken(fpBuy));
    clock.advance(1000);
    response = { ...ok, delayMs: 50 };
    const before = upstream.calls.length;
    const [trial, concurrent] = await Promise.allSettled([client.requestToken(fpBuy), client.requestToken(fpBuy)]);
    expect(trial.status).toBe('fulfilled');
    expect(concurrent.status === 'rejected' && concurrent.reason).toBeInstanceOf(ExpressPlayCircuitOpenError);
    expect(upstream.calls).toHaveLength(before + 1);
  });

  it('counts rejections (4xx) as success: ExpressPlay is up', async () => {
    const { upstream, client } = await setup(2);
    await rejectionOf(client.requestToken(fpBuy)); // 503: 1 failure
    response = { status: 400, contentType: 'application/json', body: '{"errorCode":-2033,"errorMessage":"x"}' };
    expect(await rejectionOf(client.requestToken(fpBuy))).toBeInstanceOf(ExpressPlayRejectedError);
    response = down;
    await rejectionOf(client.requestToken(fpBuy)); // 1 failure again, not 2
    response = ok;
    await expect(client.requestToken(fpBuy)).resolves.toBeDefined();
    expect(upstream.calls.length).toBeGreaterThan(0);
  });

  it('does not count a programming error (fp without IV) against the upstream', async () => {
    const { client } = await setup(1);
    for (let i = 0; i < 3; i += 1) {
      expect(await rejectionOf(client.requestToken({ ...fpBuy, iv: undefined }))).toBeInstanceOf(TypeError);
    }
    response = ok;
    await expect(client.requestToken(fpBuy)).resolves.toBeDefined();
  });

  it('keeps one breaker per upstream origin', async () => {
    const { client } = await setup(1);
    await rejectionOf(client.requestToken(fpBuy));
    // Same origin here, so the same breaker.
    expect(await rejectionOf(client.recordsByCookie(COOKIE))).toBeInstanceOf(ExpressPlayCircuitOpenError);
    const other = await startFakeExpressPlay(() => ({ status: 200, contentType: 'application/json', body: '[]' }));
    try {
      const metrics = recordingMetrics();
      const overrides = { apiBaseUrl: other.url, retries: 0, breakerFailureThreshold: 1 };
      const split = testClient(fake!.url, overrides, { metrics });
      await rejectionOf(split.requestToken(fpBuy));
      await expect(split.recordsByCookie(COOKIE)).resolves.toEqual([]);
      expect(metrics.records.map((r) => r.outcome)).toEqual(['unavailable', 'ok']);
    } finally {
      await other.close();
    }
  });
});
