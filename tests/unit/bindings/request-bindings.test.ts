/**
 * The binding flow's per-request scope, over a fake store and a fake ExpressPlay: a binding is brought up to date
 * (one record retrieval, one write) once per request however many fields ask for it, and each call to ExpressPlay
 * is charged to the request's budget.
 */
import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../../src/auth/viewer.js';
import { createBindingReaders } from '../../../src/bindings/binding-readers.js';
import { BindingService } from '../../../src/bindings/binding-service.js';
import type { PolicyConfig } from '../../../src/config/config.js';
import type { ExpressPlayClient, LicenseRecord } from '../../../src/datasources/expressplay/types.js';
import type { RateLimiter } from '../../../src/policy/rate-limiter.js';
import { createRequestUpstream, createUpstreamBudget } from '../../../src/policy/upstream-budget.js';
import type { BindingRecord, Store } from '../../../src/store/types.js';

const viewer = { userId: 'user-1' } as Viewer;
const id = '0b9b2a8e-6d0c-4d3e-9a43-1f1e2d3c4b5a';
const at = new Date('2026-01-01T00:00:00Z');
const pending: BindingRecord = {
  id,
  userId: viewer.userId,
  name: null,
  cookie: 'cookie-1',
  drm: 'fp',
  status: 'PENDING',
  deviceId: null,
  createdAt: at,
  boundAt: null,
  revokedAt: null,
  pendingExpiresAt: new Date(at.getTime() + 600_000),
  lastUsedAt: null,
  cooldownWaived: false,
};

function world() {
  const calls = { getrecord: 0, getBinding: 0, markBound: 0, budget: 0 };
  const expressplay: ExpressPlayClient = {
    requestToken: async () => ({ licenseUrl: 'x' }),
    async recordsByCookie(cookie) {
      calls.getrecord += 1;
      return [
        {
          eventId: 1,
          time: at,
          cookie,
          deviceId: 'd'.repeat(32),
          drm: 'fp',
          outcome: 'granted',
          errorCode: null,
        } satisfies LicenseRecord,
      ];
    },
  };
  const store = {
    async getBinding(wanted: string) {
      calls.getBinding += 1;
      return wanted === id ? pending : null;
    },
    async listBindingsPage() {
      return [pending];
    },
    async markBound(bound: string, deviceId: string, boundAt: Date) {
      calls.markBound += 1;
      return { ...pending, id: bound, status: 'BOUND', deviceId, boundAt } satisfies BindingRecord;
    },
  } as unknown as Store;
  const limiter: RateLimiter = {
    check: async () => undefined,
    hit: async () => {
      calls.budget += 1;
      return null;
    },
  };
  const service = new BindingService({
    store,
    rateLimiter: limiter,
    policy: {} as PolicyConfig,
    publicUrl: 'http://localhost',
    now: () => at,
  });
  const request = () => {
    const budget = createUpstreamBudget({ limiter, userId: viewer.userId, perRequest: 1, perMinute: 100 });
    const upstream = createRequestUpstream(expressplay, budget);
    return service.forRequest({ upstream, readers: createBindingReaders(upstream.client, store) });
  };
  return { calls, request };
}

describe('RequestBindings', () => {
  it('brings 50 aliases of one PENDING binding up to date with 1 record retrieval and 1 write', async () => {
    const { calls, request } = world();
    const bindings = request();
    const results = await Promise.all(Array.from({ length: 50 }, () => bindings.get(viewer, id)));
    expect(new Set(results.map((b) => b.status))).toEqual(new Set(['BOUND']));
    // Later fields and the list page of the same request share the refreshed binding: no second refresh.
    expect((await bindings.page(viewer, 20, null)).map((b) => b.status)).toEqual(['BOUND']);
    expect(await bindings.requireBound(viewer, id.toUpperCase())).toBe(results[0]);
    expect(calls).toEqual({ getrecord: 1, getBinding: 1, markBound: 1, budget: 1 });
  });

  it('refreshes again in the next request, which has its own budget', async () => {
    const { calls, request } = world();
    await request().get(viewer, id);
    await request().get(viewer, id);
    expect(calls).toMatchObject({ getrecord: 2, markBound: 2, budget: 2 });
  });

  it("answers a malformed id with NOT_FOUND at no cost, and another user's binding with NOT_FOUND", async () => {
    const { calls, request } = world();
    const bindings = request();
    await expect(bindings.get(viewer, 'not-a-uuid')).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect(calls).toEqual({ getrecord: 0, getBinding: 0, markBound: 0, budget: 0 });
    await expect(bindings.get({ userId: 'someone-else' } as Viewer, id)).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
  });
});
