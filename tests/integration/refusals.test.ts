/**
 * Refusals by the rate limiter cost next to nothing: a flood of refused calls by one user writes nothing to the
 * database, and other users' requests keep being answered. The limit stays exact across replicas.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';
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
      reserveRateLimit(...args) {
        statements += 1;
        return base.reserveRateLimit(...args);
      },
    };
    const app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '2', MAX_DEVICES: '10' }, { store, now: frozenClock() });
    try {
      const flooder = await app.token('flooder');
      for (let i = 0; i < 2; i++) expect((await app.gql(BIND, {}, { token: flooder })).errors).toBeUndefined();
      const counter = () =>
        db.query<{ xmin: string; hits: number }>(
          "select xmin::text as xmin, hits from rate_limits where user_id = 'flooder'",
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
