/**
 * A real PostgreSQL restart under a live store. Needs TEST_DATABASE_URL and TEST_PG_RESTART_CMD (a shell command that
 * restarts that server). Run this file on its own: the restart would break other files running in parallel.
 */
import { exec } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import type { Store } from '../../../src/store/types.js';
import { createPostgresTestDatabase } from '../../helpers/test-store.js';
import { describeWithEnv } from '../../helpers/needs.js';

const url = process.env.TEST_DATABASE_URL;
const restart = process.env.TEST_PG_RESTART_CMD;

async function firstSuccess(store: Store, deadlineMs: number): Promise<{ failures: number; ms: number }> {
  const started = Date.now();
  let failures = 0;
  for (;;) {
    try {
      await store.listBindingsPage('u-1', 10, null);
      return { failures, ms: Date.now() - started };
    } catch (error) {
      failures++;
      if (Date.now() - started > deadlineMs) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describeWithEnv(['TEST_DATABASE_URL', 'TEST_PG_RESTART_CMD'], 'Store across a PostgreSQL restart', () => {
  it('answers again after the server restarts, with the same store', async () => {
    const db = await createPostgresTestDatabase(url!);
    const warnings: object[] = [];
    const store = await db.openStore({ logger: { info: () => undefined, warn: (obj) => warnings.push(obj) } });
    try {
      await store.createBinding({
        id: 'b-1',
        userId: 'u-1',
        name: null,
        cookie: 'c-1',
        drm: 'wv',
        createdAt: new Date(),
        pendingExpiresAt: new Date(),
      });
      // Several connections in the pool, all idle when the server goes away.
      await Promise.all(Array.from({ length: 4 }, () => store.listBindingsPage('u-1', 10, null)));

      // Asynchronously, as in production: the event loop keeps running while the server goes away.
      await promisify(exec)(restart!);

      const { failures, ms } = await firstSuccess(store, 10_000);
      // At most the first query fails (a connection the pool had not yet seen die); then it reconnects.
      expect(failures).toBeLessThanOrEqual(1);
      expect(ms).toBeLessThan(5_000);
      expect((await store.listBindingsPage('u-1', 10, null)).map((b) => b.id)).toEqual(['b-1']);
      expect(await store.ping()).toBe(true);
      // The pool saw its idle connections die and said so, rather than crashing the process.
      expect(warnings.length).toBeGreaterThan(0);
      expect(JSON.stringify(warnings)).not.toContain('postgres://');
    } finally {
      await store.close();
      await db.dispose().catch(() => undefined);
    }
  });
});
