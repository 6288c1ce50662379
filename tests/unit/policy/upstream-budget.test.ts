import { describe, expect, it } from 'vitest';
import type { ExpressPlayClient } from '../../../src/datasources/expressplay/types.js';
import type { RateLimiter } from '../../../src/policy/rate-limiter.js';
import { createRequestUpstream, createUpstreamBudget } from '../../../src/policy/upstream-budget.js';

/** A limiter admitting `perMinute` upstream hits, counting what it was asked. */
function fakeLimiter(perMinute: number): RateLimiter & { hits: number } {
  const limiter = {
    hits: 0,
    async hit() {
      limiter.hits += 1;
      return limiter.hits <= perMinute ? null : 42;
    },
    async check() {},
  };
  return limiter;
}

function countingClient(): ExpressPlayClient & { calls: number } {
  const client = {
    calls: 0,
    async requestToken() {
      client.calls += 1;
      return { licenseUrl: 'https://license.example/' };
    },
    async recordsByCookie() {
      client.calls += 1;
      return [];
    },
  };
  return client;
}

const TOKEN = {
  drm: 'wv',
  contentKey: '0'.repeat(32),
  kid: '1'.repeat(32),
  rights: { type: 'BuyToOwn' },
  cookie: 'c',
} as const;

describe('upstream budget', () => {
  it('admits at most the per-request budget of parallel calls, and makes none past it', async () => {
    const limiter = fakeLimiter(1000);
    const client = countingClient();
    const upstream = createRequestUpstream(
      client,
      createUpstreamBudget({ limiter, userId: 'u', perRequest: 5, perMinute: 1000 }),
    );
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => upstream.client.recordsByCookie('c')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(client.calls).toBe(5);
    expect(limiter.hits).toBe(5);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1 } });
  });

  it("refuses past the minute's budget with the limiter's wait, and makes no call", async () => {
    const client = countingClient();
    const upstream = createRequestUpstream(
      client,
      createUpstreamBudget({ limiter: fakeLimiter(2), userId: 'u', perRequest: 20, perMinute: 2 }),
    );
    await upstream.client.requestToken(TOKEN);
    await upstream.client.requestToken(TOKEN);
    await expect(upstream.client.requestToken(TOKEN)).rejects.toMatchObject({
      message: expect.stringMatching(/2 calls .* this minute.* 42 seconds/),
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 42 },
    });
    expect(client.calls).toBe(2);
  });

  it('reserves a token operation at once, and charges its token to the minute only', async () => {
    const limiter = fakeLimiter(1000);
    const client = countingClient();
    const upstream = createRequestUpstream(
      client,
      createUpstreamBudget({ limiter, userId: 'u', perRequest: 2, perMinute: 1000 }),
    );
    const first = upstream.forTokenOperation();
    const second = upstream.forTokenOperation();
    // Refused before any await: the operation does no other work.
    expect(() => upstream.forTokenOperation()).toThrow(/more than 2 calls/);
    await first.requestToken(TOKEN);
    await second.requestToken(TOKEN);
    expect(limiter.hits).toBe(2);
    // A second call by one operation is not prepaid: the request's budget is spent.
    await expect(first.requestToken(TOKEN)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    expect(client.calls).toBe(2);
  });

  it('lets an anonymous request make no call', async () => {
    const client = countingClient();
    const upstream = createRequestUpstream(
      client,
      createUpstreamBudget({ limiter: fakeLimiter(10), userId: null, perRequest: 10, perMinute: 10 }),
    );
    await expect(upstream.client.recordsByCookie('c')).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(() => upstream.forTokenOperation()).toThrow(/Sign in first/);
    expect(client.calls).toBe(0);
  });
});
