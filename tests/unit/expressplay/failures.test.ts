import { Writable } from 'node:stream';
import { RequestError } from 'got';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ExpressPlayError,
  ExpressPlayRejectedError,
  ExpressPlayUnavailableError,
} from '../../../src/datasources/expressplay/errors.js';
import { createExpressPlayHttp } from '../../../src/datasources/expressplay/http.js';
import { startFakeExpressPlay, type FakeExpressPlay, type FakeResponse } from '../../helpers/fake-upstream.js';
import {
  AUTHENTICATOR,
  AUTH_SECRET,
  CEK,
  COOKIE,
  expectNoSecrets,
  fpBuy,
  recordingMetrics,
  rejectionOf,
  testClient,
  testConfig,
} from './support.js';

let fake: FakeExpressPlay | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(response: FakeResponse): Promise<FakeExpressPlay> {
  fake = await startFakeExpressPlay(() => response);
  return fake;
}

/** Upstream error bodies that echo our input, secrets included, as a careless server might. */
const echo = `customerAuthenticator=${AUTHENTICATOR}&contentKey=${CEK}`;
const json400 = (code: number): FakeResponse => ({
  status: 400,
  contentType: 'application/json',
  body: JSON.stringify({ errorCode: code, errorMessage: `Invalid request: ${echo}` }),
});

describe('rejections (4xx)', () => {
  it('maps a JSON 400 to ExpressPlayRejectedError with the upstream code, without retrying', async () => {
    const upstream = await start(json400(-2027));
    const error = await rejectionOf(testClient(upstream.url).requestToken(fpBuy));
    expect(error).toBeInstanceOf(ExpressPlayRejectedError);
    expect(error).toMatchObject({ operation: 'token', status: 400, upstreamCode: -2027 });
    expect((error as Error).message).toBe('ExpressPlay token request rejected: HTTP 400, code -2027');
    expect(upstream.calls).toHaveLength(1);
  });

  it('maps an HTML 404 to a rejection without a code', async () => {
    const upstream = await start({ status: 404, contentType: 'text/html', body: `<html>${echo}</html>` });
    const error = await rejectionOf(testClient(upstream.url).requestToken(fpBuy));
    expect(error).toBeInstanceOf(ExpressPlayRejectedError);
    expect(error).toMatchObject({ status: 404, upstreamCode: undefined });
    expect((error as Error).message).toBe('ExpressPlay token request rejected: HTTP 404');
    expect(upstream.calls).toHaveLength(1);
  });

  it('says a 401 means the authenticator was refused, without the authenticator', async () => {
    const upstream = await start({ ...json400(-2018), status: 401 });
    const error = await rejectionOf(testClient(upstream.url).recordsByCookie(COOKIE));
    expect(error).toBeInstanceOf(ExpressPlayRejectedError);
    expect(error).toMatchObject({ operation: 'getrecord', status: 401, upstreamCode: -2018 });
    expect((error as Error).message).toMatch(
      /^ExpressPlay getrecord request rejected: HTTP 401, code -2018 \(customer authenticator refused/,
    );
    expectNoSecrets(error);
    expect(upstream.calls).toHaveLength(1);
  });

  it('does not retry 429 either (4xx is never retried)', async () => {
    const upstream = await start({ status: 429, body: 'slow down' });
    await rejectionOf(testClient(upstream.url).requestToken(fpBuy));
    expect(upstream.calls).toHaveLength(1);
  });
});

describe('unavailability', () => {
  it('retries a 5xx `retries` times, then fails as unavailable', async () => {
    const upstream = await start({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ errorCode: -2030, errorMessage: 'admin error' }),
    });
    const error = await rejectionOf(testClient(upstream.url, { retries: 2 }).requestToken(fpBuy));
    expect(error).toBeInstanceOf(ExpressPlayUnavailableError);
    expect(error).toMatchObject({ operation: 'token', status: 503, upstreamCode: -2030 });
    expect((error as Error).message).toBe('ExpressPlay token request failed: HTTP 503, code -2030');
    expect(upstream.calls).toHaveLength(3);
    // Every attempt carried the same form (POST is retried deliberately).
    expect(new Set(upstream.calls.map((c) => c.body)).size).toBe(1);
  });

  it('retries a getrecord 500 too', async () => {
    const upstream = await start({ status: 500, body: 'boom' });
    const error = await rejectionOf(testClient(upstream.url, { retries: 1 }).recordsByCookie(COOKIE));
    expect(error).toBeInstanceOf(ExpressPlayUnavailableError);
    expect(upstream.calls).toHaveLength(2);
  });

  it('times out per attempt and gives up within a bound', async () => {
    const upstream = await start({ status: 200, body: 'late', delayMs: 5000 });
    const started = performance.now();
    const error = await rejectionOf(testClient(upstream.url, { timeoutMs: 100, retries: 1 }).requestToken(fpBuy));
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(ExpressPlayUnavailableError);
    expect((error as Error).message).toBe('ExpressPlay token request failed: timed out after 100 ms');
    expect(upstream.calls).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1500);
  });

  it('treats a dropped connection as unavailable, after retries', async () => {
    const upstream = await start({ status: 200, body: '', destroy: true });
    const error = await rejectionOf(testClient(upstream.url, { retries: 2 }).requestToken(fpBuy));
    expect(error).toBeInstanceOf(ExpressPlayUnavailableError);
    expect((error as Error).message).toMatch(/^ExpressPlay token request failed: network error/);
    expect(upstream.calls).toHaveLength(3);
  });

  it('treats a refused connection as unavailable', async () => {
    const upstream = await start({ status: 200, body: '' });
    await upstream.close();
    fake = undefined;
    const error = await rejectionOf(testClient(upstream.url, { retries: 0 }).requestToken(fpBuy));
    expect(error).toBeInstanceOf(ExpressPlayUnavailableError);
    expect((error as Error).message).toBe('ExpressPlay token request failed: network error (ECONNREFUSED)');
  });
});

describe('no secret in any error, for every failure kind', () => {
  const kinds: Array<[string, FakeResponse]> = [
    ['400 JSON echoing input', json400(-2027)],
    ['401 HTML echoing input', { status: 401, contentType: 'text/html', body: `<p>${echo}</p>` }],
    ['404', { status: 404, body: echo }],
    ['500 echoing input', { status: 500, contentType: 'text/plain', body: echo }],
    ['timeout', { status: 200, body: '', delayMs: 5000 }],
    ['dropped connection', { status: 200, body: '', destroy: true }],
    ['garbage 200 echoing input', { status: 200, contentType: 'application/json', body: `{"x":"${echo}"}` }],
  ];

  for (const [name, response] of kinds) {
    it(`token: ${name}`, async () => {
      const upstream = await start(response);
      const error = await rejectionOf(testClient(upstream.url, { timeoutMs: 80, retries: 1 }).requestToken(fpBuy));
      expect(error).toBeInstanceOf(ExpressPlayError);
      expectNoSecrets(error);
      expect((error as Error).cause).not.toBeInstanceOf(RequestError);
    });

    // getrecord is the risky one: a GET whose query holds the authenticator, so got's own message would leak it.
    it(`getrecord: ${name}`, async () => {
      const upstream = await start(response);
      const error = await rejectionOf(testClient(upstream.url, { timeoutMs: 80, retries: 1 }).recordsByCookie(COOKIE));
      expect(error).toBeInstanceOf(ExpressPlayError);
      expectNoSecrets(error);
      expect((error as Error).cause).not.toBeInstanceOf(RequestError);
    });
  }

  it('the bare http instance redacts too (secrets in a query, 400)', async () => {
    const upstream = await start(json400(-2005));
    const http = createExpressPlayHttp(testConfig(upstream.url, { retries: 0 }));
    const error = await rejectionOf(
      http.get(`${upstream.url}/hms/wv/token`, {
        searchParams: { customerAuthenticator: AUTHENTICATOR, contentKey: CEK },
      }),
    );
    expect(error).toBeInstanceOf(ExpressPlayRejectedError);
    expect(error).toMatchObject({ operation: 'token', status: 400, upstreamCode: -2005 });
    expectNoSecrets(error);
    expect(upstream.calls[0].url).toContain(AUTH_SECRET); // the precondition: the secret really was in the URL
  });
});

describe('metrics and logs', () => {
  it('records one metric per logical call, after retries, with the outcome', async () => {
    let mode: 'ok' | '400' | '503' = 'ok';
    fake = await startFakeExpressPlay((req) => {
      if (mode === '400') return json400(-2033);
      if (mode === '503') return { status: 503, body: '' };
      return req.path.startsWith('/cmiapi')
        ? { status: 200, contentType: 'application/json', body: '[]' }
        : { status: 200, contentType: 'text/uri-list', body: 'https://fp.example/r?ExpressPlayToken=t' };
    });
    const metrics = recordingMetrics();
    const client = testClient(fake.url, { retries: 2 }, { metrics });

    await client.requestToken(fpBuy);
    await client.recordsByCookie(COOKIE);
    mode = '400';
    await rejectionOf(client.requestToken(fpBuy));
    mode = '503';
    await rejectionOf(client.recordsByCookie(COOKIE));

    expect(metrics.records.map(({ endpoint, outcome }) => [endpoint, outcome])).toEqual([
      ['token', 'ok'],
      ['getrecord', 'ok'],
      ['token', 'rejected'],
      ['getrecord', 'unavailable'],
    ]);
    expect(fake.calls).toHaveLength(1 + 1 + 1 + 3);
    for (const { seconds } of metrics.records) {
      expect(seconds).toBeGreaterThanOrEqual(0);
      expect(seconds).toBeLessThan(5);
    }
  });

  it('logs each call at debug with endpoint, drm, status and duration, and no URL or secret', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    fake = await startFakeExpressPlay((req) =>
      req.path.startsWith('/cmiapi')
        ? json400(-2018)
        : { status: 200, body: 'https://fp.example/r?ExpressPlayToken=SECRETTOKEN' },
    );
    const client = testClient(fake.url, {}, { logger });
    await client.requestToken(fpBuy);
    await rejectionOf(client.recordsByCookie(COOKIE));
    await new Promise((resolve) => setImmediate(resolve));

    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toEqual([
      expect.objectContaining({
        level: 20,
        endpoint: 'token',
        drm: 'fp',
        status: 200,
        outcome: 'ok',
        durationMs: expect.any(Number),
      }),
      expect.objectContaining({
        level: 20,
        endpoint: 'getrecord',
        status: 400,
        upstreamCode: -2018,
        outcome: 'rejected',
      }),
    ]);
    const all = lines.join('\n');
    for (const secret of [AUTH_SECRET, CEK, 'SECRETTOKEN']) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/https?:\/\//);
  });
});
