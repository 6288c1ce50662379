import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFaultInjector } from '../../src/sandbox/faults.js';
import { startSandbox } from '../../src/sandbox/server.js';
import {
  AUTH,
  DEVICE,
  getrecord,
  licenseUrlFor,
  postToken,
  redeem,
  startTestSandbox,
  tokenForm,
  type TestSandbox,
} from './fixture.js';

let t: TestSandbox;

beforeEach(async () => {
  t = await startTestSandbox();
});
afterEach(async () => {
  await t.sandbox.close();
});

async function statuses(count: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i += 1) seen.push((await getrecord(t.url, {})).status);
  return seen;
}

describe('fault injection', () => {
  it('adds latency before answering, on the chosen endpoints only', async () => {
    const licenseUrl = await licenseUrlFor(t.url, 'fp');
    // Wide enough that a loaded machine does not blur the two cases.
    t.sandbox.setFaults({ latencyMs: 400 });

    let started = performance.now();
    expect((await postToken(t.url, 'fp', tokenForm('fp'))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);

    started = performance.now();
    expect((await redeem(licenseUrl, DEVICE)).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(390);
  });

  it('answers a deterministic share of requests with 503', async () => {
    t.sandbox.setFaults({ errorRate: 0.5 });
    expect(await statuses(6)).toEqual([200, 503, 200, 503, 200, 503]);

    t.sandbox.setFaults({ errorRate: 0.1 });
    const tenth = await statuses(20);
    expect(tenth.map((s, i) => (s === 503 ? i + 1 : 0)).filter(Boolean)).toEqual([10, 20]);

    t.sandbox.setFaults({ errorRate: 1 });
    expect(await statuses(3)).toEqual([503, 503, 503]);
  });

  it('renders the 503 in the requested error format', async () => {
    t.sandbox.setFaults({ errorRate: 1 });
    const response = await getrecord(t.url, {});
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ errorCode: -2030 });
    const html = await fetch(`${t.url}/cmiapi/getrecord/`);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('resets the connection during an outage', async () => {
    t.sandbox.setFaults({ outage: true });
    await expect(postToken(t.url, 'fp', tokenForm('fp'))).rejects.toThrow();
    await expect(getrecord(t.url, {})).rejects.toThrow();
    expect(t.sandbox.stats()).toEqual({ token: 1, getrecord: 1, license: 0 });

    t.sandbox.setFaults({});
    expect((await postToken(t.url, 'fp', tokenForm('fp'))).status).toBe(200);
  });

  it('answers garbage with HTTP 200', async () => {
    t.sandbox.setFaults({ garbage: true });
    const token = await postToken(t.url, 'fp', tokenForm('fp'));
    expect(token.status).toBe(200);
    const body = await token.text();
    expect(() => new URL(body.trim())).toThrow();

    const records = await getrecord(t.url, {});
    expect(records.status).toBe(200);
    await expect(records.json()).rejects.toThrow();
  });

  it('applies to the license endpoint only when asked, and leaves the others alone then', async () => {
    const licenseUrl = await licenseUrlFor(t.url, 'wv');
    t.sandbox.setFaults({ errorRate: 1, endpoints: ['license'] });
    expect((await postToken(t.url, 'wv', tokenForm('wv'))).status).toBe(200);
    expect(await redeem(licenseUrl, DEVICE)).toMatchObject({ status: 503, body: { errorCode: -2030 } });
  });

  it('never faults the health check', async () => {
    t.sandbox.setFaults({ outage: true, endpoints: ['token', 'getrecord', 'license'] });
    const response = await fetch(`${t.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('counts every request per endpoint, faulted or not, until reset', async () => {
    const licenseUrl = await licenseUrlFor(t.url, 'pr');
    t.sandbox.setFaults({ errorRate: 0.5 });
    await statuses(3);
    await redeem(licenseUrl, DEVICE);
    await postToken(t.url, 'nope', tokenForm('fp'));
    expect(t.sandbox.stats()).toEqual({ token: 2, getrecord: 3, license: 1 });
    t.sandbox.resetStats();
    expect(t.sandbox.stats()).toEqual({ token: 0, getrecord: 0, license: 0 });
  });

  it('takes faults at start-up and refuses impossible ones', async () => {
    const down = await startSandbox({ customerAuthenticators: [AUTH], faults: { outage: true } });
    try {
      await expect(fetch(`${down.url}/cmiapi/getrecord/`)).rejects.toThrow();
      expect(() => down.setFaults({ errorRate: 1.5 })).toThrow(RangeError);
      expect(() => down.setFaults({ latencyMs: -1 })).toThrow(RangeError);
    } finally {
      await down.close();
    }
    await expect(startSandbox({ customerAuthenticators: [AUTH], faults: { errorRate: -0.1 } })).rejects.toThrow(
      RangeError,
    );
  });

  it('closes promptly while a request waits out its latency', async () => {
    t.sandbox.setFaults({ latencyMs: 60_000 });
    const pending = getrecord(t.url, {}).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await t.sandbox.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('createFaultInjector', () => {
  it('counts the error rate in exact steps (no floating-point drift over many requests)', () => {
    const faults = createFaultInjector({ errorRate: 0.3 });
    const hits = Array.from({ length: 100 }, () => faults.actionFor('token')).filter((a) => a === 'unavailable');
    expect(hits).toHaveLength(30);
  });
});
