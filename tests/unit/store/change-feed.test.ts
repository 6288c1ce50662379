/**
 * The change feed on a PostgreSQL server: a change committed through one store reaches another store's listeners
 * (another replica), a rolled-back one never does, and a lost listening connection clears the caches, turns them off
 * until it is back, and is reopened.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect, it } from 'vitest';
import { createPgChangeFeed, type StoreChange } from '../../../src/store/change-feed.js';
import type { ContentInput } from '../../../src/store/types.js';
import { describeWithEnv } from '../../helpers/needs.js';
import { createPostgresTestDatabase } from '../../helpers/test-store.js';

const url = process.env.TEST_DATABASE_URL;

/** A title to upsert; a negative rental period is one the database's CHECK refuses. */
function title(id: string, name: string, rentalPeriodSeconds = 60): ContentInput {
  return {
    id,
    title: name,
    keyId: 'a1'.repeat(16),
    contentKey: 'c3'.repeat(16),
    iv: null,
    rentalPeriodSeconds,
    rentalPlaySeconds: 60,
  };
}

/** Waits until `live()` says the feed listens, for at most 3 s. */
async function listening(live: () => boolean): Promise<void> {
  const until = Date.now() + 3000;
  while (!live() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(live()).toBe(true);
}

/** Resolves with the first change `pick` accepts, or rejects after 2 s. */
function next(heard: StoreChange[], pick: (c: StoreChange) => boolean): Promise<StoreChange> {
  return new Promise((resolve, reject) => {
    const until = Date.now() + 2000;
    const poll = () => {
      const found = heard.find(pick);
      if (found) resolve(found);
      else if (Date.now() > until) reject(new Error(`not heard: ${JSON.stringify(heard)}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

describeWithEnv(['TEST_DATABASE_URL'], 'change feed on PostgreSQL', () => {
  it("another replica's committed revocation and upsert reach this one; nothing of a rollback does", async () => {
    const database = await createPostgresTestDatabase(url!);
    const [a, b] = [await database.openStore(), await database.openStore()];
    try {
      const heard: StoreChange[] = [];
      // Nothing listens before the first subscriber: a store nothing caches over holds no extra connection.
      expect(b.changesLive()).toBe(false);
      b.onChange((change) => heard.push(change));
      await listening(() => b.changesLive());
      await a.upsertContent(title('film', 'Film'), new Date());
      await next(heard, (c) => c.kind === 'content' && c.id === 'film');
      const binding = await a.createBinding({
        id: '00000000-0000-4000-8000-000000000001',
        userId: 'u',
        name: null,
        cookie: 'cookie-1',
        drm: 'wv',
        createdAt: new Date(),
        pendingExpiresAt: new Date(Date.now() + 60_000),
      });
      await a.revokeBinding(binding.id, new Date());
      await next(heard, (c) => c.kind === 'binding' && c.id === binding.id);
      // A title whose upsert fails (a CHECK on its rental terms) announces nothing.
      const count = heard.length;
      await expect(a.upsertContent(title('bad', 'Bad', -1), new Date())).rejects.toThrow();
      await a.upsertContent(title('marker', 'M'), new Date());
      await next(heard, (c) => c.kind === 'content' && c.id === 'marker');
      expect(heard.slice(count).filter((c) => c.kind === 'content' && c.id === 'bad')).toEqual([]);
    } finally {
      await a.close();
      await b.close();
      await database.dispose();
    }
  });

  it('a lost listening connection resets the caches, reads as not live, and is reopened', async () => {
    const applicationName = `feed_${randomBytes(6).toString('hex')}`;
    const feed = createPgChangeFeed({ connectionString: url!, schema: 'public', applicationName, retryMs: 20 });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const heard: StoreChange[] = [];
      feed.subscribe((change) => heard.push(change));
      await listening(() => feed.live());
      const resets = () => heard.filter((c) => c.kind === 'reset').length;
      // One reset when it first listened.
      const first = resets();
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
        applicationName,
      ]);
      // Another when the loss is noticed (live no more), and one more once it listens again.
      await next(heard, () => resets() >= first + 2);
      await listening(() => feed.live());
      // And hears changes again.
      await admin.query(`select pg_notify('entitlement_api_changes', 'public c again')`);
      await next(heard, (c) => c.kind === 'content' && c.id === 'again');
    } finally {
      await admin.end();
      await feed.close();
    }
  });
});
