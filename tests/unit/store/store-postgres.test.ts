import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect, it } from 'vitest';
import { createStore } from '../../../src/store/create-store.js';
import { createPostgresTestDatabase, testSchemaName } from '../../helpers/test-store.js';
import { defineStoreContract, MIGRATION_NAMES, STORE_TABLES } from './store-contract.js';
import { describeWithEnv } from '../../helpers/needs.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');

const url = process.env.TEST_DATABASE_URL;

describeWithEnv(['TEST_DATABASE_URL'], 'Store on PostgreSQL', () => {
  defineStoreContract(() => createPostgresTestDatabase(url!));

  it('keeps working when the server kills its connections, idle or in the middle of a query', async () => {
    const db = await createPostgresTestDatabase(url!);
    const warnings: object[] = [];
    const store = await db.openStore({ logger: { info: () => undefined, warn: (obj) => warnings.push(obj) } });
    const locker = new pg.Client({ connectionString: url, options: `-c search_path=${db.schema}` });
    locker.on('error', () => undefined);
    await locker.connect();
    // Materialized first: in a plain WHERE, PostgreSQL may call pg_terminate_backend before the filter, on every
    // connection of the server (other test files' included).
    const kill = (where: string, params: unknown[]) =>
      db.query<{ pid: number }>(
        `with victims as materialized (select pid from pg_stat_activity where ${where} and pid <> pg_backend_pid())
         select pid, pg_terminate_backend(pid) from victims`,
        params,
      );
    const [{ pid: lockerPid }] = (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows as [
      { pid: number },
    ];
    try {
      const b = await store.createBinding({
        id: 'b-1',
        userId: 'u-1',
        name: null,
        cookie: `c-${db.schema}`,
        drm: 'wv',
        createdAt: T0,
        pendingExpiresAt: T0,
      });

      // Idle: four pooled connections die together. The pool drops them and reports it; the next query reconnects.
      await Promise.all(Array.from({ length: 4 }, () => store.listBindingsPage('u-1', 10, null)));
      const killed = await kill('application_name = $1', [db.schema]);
      expect(killed.length).toBeGreaterThan(0);
      // Termination is asynchronous; once each connection has reported its death, none of them is handed out again.
      await expect.poll(() => warnings.length).toBe(killed.length);
      expect(await store.listBindingsPage('u-1', 10, null)).toEqual([b]);

      // Busy: markBound waits on a row lock we hold, and its connection is killed while it waits. That query fails;
      // the process does not crash, and the broken connection is not handed out again.
      await locker.query('begin');
      await locker.query('select id from bindings where id = $1 for update', ['b-1']);
      const blocked = store.markBound('b-1', 'a'.repeat(32), T0);
      const outcome = blocked.then(
        () => 'bound',
        (e: unknown) => (e as Error).message,
      );
      await expect.poll(async () => (await kill('$1 = any(pg_blocking_pids(pid))', [lockerPid])).length).toBe(1);
      expect(await outcome).toMatch(/terminat/i);
      // Asked at once, before the dead socket has closed: the pool must not hand that connection out again. The
      // query waits for our lock, then binds.
      const retried = store.markBound('b-1', 'a'.repeat(32), T0);
      await locker.query('commit');
      expect(await retried).toMatchObject({ status: 'BOUND' });
      expect(await store.ping()).toBe(true);
    } finally {
      await locker.end();
      await store.close();
      await db.dispose();
    }
  });

  it('closes a pooled connection only after DATABASE_POOL_IDLE_SECONDS unused', async () => {
    const db = await createPostgresTestDatabase(url!);
    const store = await db.openStore({ poolIdleSeconds: 1 });
    const open = async () =>
      (
        await db.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where application_name = $1', [
          db.schema,
        ])
      )[0].n;
    try {
      await Promise.all(Array.from({ length: 3 }, () => store.listBindingsPage('u-1', 10, null)));
      expect(await open()).toBeGreaterThan(0);
      // pg's own default (10 s) would still hold them when the poll gives up.
      await expect.poll(open, { timeout: 5000, interval: 200 }).toBe(0);
    } finally {
      await store.close();
      await db.dispose();
    }
  });

  it('several replicas starting at once on an empty schema migrate it once', async () => {
    const { name: schema, dropped } = testSchemaName();
    const key = randomBytes(32);
    const stores = await Promise.all(
      Array.from({ length: 4 }, () =>
        createStore({ databaseUrl: url!, schema, contentKeyEncryptionKey: key, poolSize: 2 }),
      ),
    );
    try {
      for (const store of stores) expect(await store.ping()).toBe(true);
      const db = await createPostgresTestDatabase(url!);
      try {
        const rows = await db.query(`select name from ${schema}.kysely_migration`);
        expect(rows).toEqual(MIGRATION_NAMES.map((name) => ({ name })));
        const tables = await db.query<{ table_name: string }>(
          'select table_name from information_schema.tables where table_schema = $1 order by table_name',
          [schema],
        );
        expect(tables.map((t) => t.table_name)).toEqual([...STORE_TABLES]);
        if (dropped) await db.query(`drop schema ${schema} cascade`);
      } finally {
        await db.dispose();
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
