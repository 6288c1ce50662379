/** What a platform team operates: health, Prometheus metrics, request ids. */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.stop();
});

describe('operations', () => {
  it('GET /healthz reports the database', async () => {
    const r = await fetch(`${app.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok', database: true });
  });

  it('GET /metrics counts ExpressPlay calls by endpoint and outcome', async () => {
    const token = await app.token('metrics-user');
    expect((await app.gql(`mutation { bindDevice(input: {}) { licenseUrl } }`, {}, { token })).errors).toBeUndefined();
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/expressplay_requests_total\{endpoint="token",outcome="ok"\} 1/);
    expect(text).toMatch(/expressplay_request_duration_seconds_bucket\{le="[\d.]+",endpoint="token"\}/);
    expect(text).toMatch(/process_resident_memory_bytes/);
  });

  it('GET /metrics counts GraphQL operations by type and first root field, outcome, and duration', async () => {
    const token = await app.token('graphql-metrics-user');
    const before = await (await fetch(`${app.url}/metrics`)).text();
    const count = (text: string, labels: string) =>
      Number(new RegExp(`graphql_requests_total\\{${labels}\\} (\\d+)`).exec(text)?.[1] ?? 0);
    await app.gql(`query Named { contents(first: 1) { nodes { id } } }`, {}, { token });
    await app.gql(`query AnyOtherName { contents { nodes { id } } }`, {}, { token });
    await app.gql(`{ contents { nodes { id } } }`); // no token: runs, answers UNAUTHENTICATED
    await app.gql(`{ contentz }`, {}, { token }); // never runs
    const after = await (await fetch(`${app.url}/metrics`)).text();
    const ok = 'operation="query.contents",outcome="ok"';
    expect(count(after, ok) - count(before, ok)).toBe(2);
    const error = 'operation="query.contents",outcome="error"';
    expect(count(after, error) - count(before, error)).toBe(1);
    const refused = 'operation="unknown",outcome="refused"';
    expect(count(after, refused) - count(before, refused)).toBe(1);
    // Client operation names never become labels.
    expect(after).not.toMatch(/Named|AnyOtherName/);
    expect(after).toMatch(/graphql_request_duration_seconds_bucket\{le="[\d.]+",operation="query.contents"\}/);
  });

  it('GET /metrics in production: only with Authorization: Bearer <METRICS_TOKEN>, and not at all without one', async () => {
    const METRICS_TOKEN = 'scrape-secret-0123456789';
    const guarded = await startTestApp({ NODE_ENV: 'production', METRICS_TOKEN });
    const unset = await startTestApp({ NODE_ENV: 'production' });
    try {
      const scrape = (url: string, authorization?: string) =>
        fetch(`${url}/metrics`, { headers: authorization ? { authorization } : {} });
      for (const authorization of [
        undefined,
        'Bearer wrong',
        `Bearer ${METRICS_TOKEN}x`,
        `Basic ${METRICS_TOKEN}`,
        METRICS_TOKEN,
      ]) {
        const r = await scrape(guarded.url, authorization);
        expect(r.status, authorization).toBe(401);
        expect(r.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
        expect(await r.text()).not.toMatch(/process_resident_memory_bytes/);
      }
      for (const authorization of [`Bearer ${METRICS_TOKEN}`, `bearer ${METRICS_TOKEN}`]) {
        const r = await scrape(guarded.url, authorization);
        expect(r.status).toBe(200);
        expect(await r.text()).toMatch(/process_resident_memory_bytes/);
      }
      const closed = await scrape(unset.url);
      expect(closed.status).toBe(404);
      expect(await closed.text()).not.toMatch(/process_resident_memory_bytes/);
      expect((await scrape(unset.url, `Bearer ${METRICS_TOKEN}`)).status).toBe(404);
      expect((await fetch(`${unset.url}/healthz`)).status).toBe(200);
    } finally {
      await guarded.stop();
      await unset.stop();
    }
  });

  it('echoes a sane X-Request-Id and makes one otherwise', async () => {
    const mine = await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(mine.headers.get('x-request-id')).toBe('abc-123');
    const hostile = await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'a'.repeat(200) } });
    // A new one: this process's prefix and a counter.
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
  });

  it('refuses a well-signed token that names no user', async () => {
    const noSub = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(app.jwtSecret));
    const r = await app.gql('{ contents { nodes { id } } }', {}, { token: noSub });
    expect(r.status).toBe(401);
    expect(r.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });
});
