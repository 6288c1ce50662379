/**
 * Refusals by the rate limiter cost next to nothing: a flood of refused calls by one user writes nothing to the
 * database, and other users' requests keep being answered. The limit stays exact across replicas.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';
import { bindAndPlay } from '../helpers/bind-and-play.js';
import { startTestApp } from '../helpers/test-app.js';
import { createTestDatabase } from '../helpers/test-store.js';

const BIND = `mutation { bindDevice(input: {}) { licenseUrl } }`;

/** A clock stopped at the start of the test: every call of it falls in one rate-limit window. */
const frozenClock = () => {
  const at = new Date();
  return () => new Date(at);
};

describe('rate-limit refusals', () => {
  it("cost a 100-way bindDevice flood at most one database statement and no write, while others' reads answer", async () => {
    const db = await createTestDatabase();
    const base = await db.openStore();
    let statements = 0;
    const store: Store = {
      ...base,
      reserveRateLimits(...args) {
        statements += 1;
        return base.reserveRateLimits(...args);
      },
    };
    const app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '2', MAX_DEVICES: '10' }, { store, now: frozenClock() });
    try {
      const flooder = await app.token('flooder');
      for (let i = 0; i < 2; i++) expect((await app.gql(BIND, {}, { token: flooder })).errors).toBeUndefined();
      const counter = () =>
        db.query<{ xmin: string; hits: number }>(
          "select xmin::text as xmin, hits from rate_limits where user_id = 'flooder' and action = 'bindDevice'",
        );
      const before = await counter();
      const statementsBefore = statements;

      const reader = await app.token('reader');
      const [flood, reads] = await Promise.all([
        Promise.all(Array.from({ length: 100 }, () => app.gql(BIND, {}, { token: flooder }))),
        Promise.all(
          Array.from({ length: 20 }, () =>
            app.gql(`{ deviceBindings { nodes { id } } entitlements { nodes { id } } }`, {}, { token: reader }),
          ),
        ),
      ]);

      expect(new Set(flood.map((r) => r.errors?.[0]?.extensions?.code))).toEqual(new Set(['RATE_LIMITED']));
      for (const r of reads) expect(r.errors).toBeUndefined();
      expect(statements - statementsBefore).toBeLessThanOrEqual(1);
      // The counter row was not rewritten: same tuple, still at the limit.
      expect(await counter()).toEqual(before);
      expect(before[0].hits).toBe(2);
    } finally {
      await app.stop();
      await base.close();
      await db.dispose();
    }
  });

  it("cost an occasional user's bindDevice and purchase one reservation each, the ExpressPlay call's included", async () => {
    const db = await createTestDatabase();
    const base = await db.openStore();
    const asked: string[][] = [];
    const store: Store = {
      ...base,
      reserveRateLimits(userId, asks, ...rest) {
        asked.push(asks.map((a) => a.action));
        return base.reserveRateLimits(userId, asks, ...rest);
      },
    };
    // Limits as a real deployment sets them, small enough that every slice is a single hit.
    const app = await startTestApp(
      { RATE_LIMIT_PER_MINUTE: '4', UPSTREAM_CALLS_PER_MINUTE: '4' },
      { store, now: frozenClock() },
    );
    try {
      const token = await app.token('occasional');
      const { bindingId } = await bindAndPlay(app, token);
      // The binding's own hit and its dummy token's, in one statement.
      expect(asked).toEqual([['bindDevice', 'upstream']]);
      // The client polls until BOUND: the record retrieval's hit.
      const looked = await app.gql<{ deviceBinding: { status: string } }>(
        `query($id: ID!) { deviceBinding(id: $id) { status } }`,
        { id: bindingId },
        { token },
      );
      expect(looked.data?.deviceBinding.status).toBe('BOUND');
      expect(asked).toEqual([['bindDevice', 'upstream'], ['upstream']]);
      asked.length = 0;
      const bought = await app.gql(
        `mutation($id: ID!) { purchase(input: { contentId: "sintel", bindingId: $id, idempotencyKey: "occasional-1" }) { licenseUrl } }`,
        { id: bindingId },
        { token },
      );
      expect(bought.errors).toBeUndefined();
      expect(asked).toEqual([['purchase', 'upstream']]);
      // Every hit counted where the limit is shared: nothing reserved that was not spent.
      expect(
        await db.query<{ action: string; hits: number }>(
          "select action, hits from rate_limits where user_id = 'occasional' order by action",
        ),
      ).toEqual([
        { action: 'bindDevice', hits: 1 },
        { action: 'purchase', hits: 1 },
        { action: 'upstream', hits: 3 },
      ]);
    } finally {
      await app.stop();
      await base.close();
      await db.dispose();
    }
  });

  it('admit no more than the limit in all across two replicas on one database', async () => {
    const db = await createTestDatabase();
    const stores = [await db.openStore(), await db.openStore()];
    const now = frozenClock();
    const env = { RATE_LIMIT_PER_MINUTE: '5', MAX_DEVICES: '100' };
    const a = await startTestApp(env, { store: stores[0], now });
    const b = await startTestApp({ ...env, AUTH_JWT_SECRET: '' }, { store: stores[1], now });
    try {
      const tokens = [await a.token('busy'), await b.token('busy')];
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => [a, b][i % 2].gql(BIND, {}, { token: tokens[i % 2] })),
      );
      const codes = results.map((r) => r.errors?.[0]?.extensions?.code ?? 'OK');
      expect(codes.filter((c) => c === 'OK')).toHaveLength(5);
      expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(35);
    } finally {
      await a.stop();
      await b.stop();
      for (const store of stores) await store.close();
      await db.dispose();
    }
  });
});
