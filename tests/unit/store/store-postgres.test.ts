import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { expect, it } from 'vitest';
import { createStore, dropConnectionsThatDied } from '../../../src/store/create-store.js';
import type { BindingRecord, ContentInput, Store } from '../../../src/store/types.js';
import { createPostgresTestDatabase, testSchemaName } from '../../helpers/test-store.js';
import { defineStoreContract, MIGRATION_NAMES, STORE_TABLES } from './store-contract.js';
import { describeWithEnv } from '../../helpers/needs.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
/** Purchase-versus-revocation races: enough that a purchase statement without its row lock loses some. */
const RACES = 60;
const TITLE: ContentInput = {
  id: 'c-1',
  title: 'Sintel',
  keyId: 'a'.repeat(32),
  contentKey: 'b'.repeat(32),
  iv: null,
  rentalPeriodSeconds: 3600,
  rentalPlaySeconds: 600,
};

/** A new BOUND binding of `userId`. */
async function boundBinding(store: Store, userId: string): Promise<BindingRecord> {
  const b = await store.createBinding({
    id: randomUUID(),
    userId,
    name: null,
    cookie: randomBytes(16).toString('hex'),
    drm: 'wv',
    createdAt: T0,
    pendingExpiresAt: T0,
  });
  return (await store.markBound(b.id, 'd'.repeat(32), T0))!;
}

/** A purchase of TITLE on `b`, with a fresh idempotency key. */
const purchaseOn = (store: Store, b: BindingRecord) =>
  store.createEntitlementOnBinding({
    id: randomUUID(),
    userId: b.userId,
    contentId: TITLE.id,
    kind: 'PURCHASE',
    bindingId: b.id,
    idempotencyKey: randomUUID(),
    createdAt: T0,
    expiresAt: null,
    playSeconds: null,
  });

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

  it('runs statements prepared, and prepares one again when a column added to its table made its plan stale', async () => {
    const db = await createPostgresTestDatabase(url!);
    const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${db.schema}`, max: 1 });
    const connection = await dropConnectionsThatDied(pool, { prepare: true }).connect();
    const read = () => connection.query('select * from stale_plan_probe where id = $1', [1]);
    try {
      await db.query('create table stale_plan_probe (id int primary key, a text)');
      await db.query("insert into stale_plan_probe values (1, 'x')");
      expect((await read()).rows).toEqual([{ id: 1, a: 'x' }]);
      // What a newer replica's migration does while this one runs.
      await db.query('alter table stale_plan_probe add column b text');
      // Outside a transaction the statement is prepared again and answers at once.
      expect((await read()).rows).toEqual([{ id: 1, a: 'x', b: null }]);
      await db.query('alter table stale_plan_probe add column c text');
      // Inside one, the transaction has failed already: the error goes to the caller, whose retry works. That it
      // fails at all is what shows the statement ran prepared: a statement sent as text is planned afresh.
      await connection.query('begin', []);
      await expect(read()).rejects.toMatchObject({ code: '0A000' });
      await connection.query('rollback', []);
      expect((await read()).rows).toEqual([{ id: 1, a: 'x', b: null, c: null }]);
    } finally {
      connection.release();
      await pool.end();
      await db.query('drop table if exists stale_plan_probe');
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

  it('purchases racing revocations of their binding on two stores: no purchase is recorded after its revocation', async () => {
    // Two replicas on one database, one buying on each binding while the other revokes it. The binding is read FOR
    // SHARE by the purchase's statement, so the revocation's UPDATE waits for the purchase to commit (its event comes
    // later), or the purchase waits for the revocation and sees it REVOKED. Event ids come from one sequence.
    const db = await createPostgresTestDatabase(url!);
    const [buyer, revoker] = [await db.openStore(), await db.openStore()];
    // A revocation that takes a few milliseconds between its event and its commit: the window in which a purchase
    // that read the binding without waiting for its row lock would record its sale after the revocation.
    await db.query(`create function slow_revocation() returns trigger language plpgsql
      as $$ begin perform pg_sleep(0.01); return null; end $$`);
    await db.query(`create trigger slow_revocation after insert on events for each row
      when (new.type = 'BINDING_REVOKED') execute function slow_revocation()`);
    try {
      await buyer.upsertContent(TITLE, T0);
      const bindings = await Promise.all(Array.from({ length: RACES }, () => boundBinding(buyer, `u-${randomUUID()}`)));
      const race = async (b: BindingRecord, i: number): Promise<string> => {
        const revoked = revoker.revokeBinding(b.id, T0);
        // Every other purchase starts a moment after the revocation, when it has usually written its event but not
        // committed; the others usually come first.
        if (i % 2 === 1) await new Promise((resolve) => setTimeout(resolve, 2));
        const { outcome } = await purchaseOn(buyer, b);
        await revoked;
        return outcome;
      };
      // A few races at a time (each store's pool has four connections), each purchase beside its own revocation.
      const outcomes: string[] = [];
      await Promise.all(
        [0, 1, 2, 3].map(async (lane) => {
          for (let i = lane; i < RACES; i += 4) outcomes.push(await race(bindings[i], i));
        }),
      );
      const ids = bindings.map((b) => b.id);
      const late = await db.query<{ binding_id: string }>(
        `select p.binding_id from events p join events r on r.binding_id = p.binding_id
         where p.type = 'PURCHASED' and r.type = 'BINDING_REVOKED' and p.id > r.id and p.binding_id = any($1)`,
        [ids],
      );
      expect(late).toEqual([]);
      // Every purchase said created has its event; one said unbound wrote nothing. Both happened.
      const purchased = await db.query<{ n: number }>(
        `select count(*)::int as n from events where type = 'PURCHASED' and binding_id = any($1)`,
        [ids],
      );
      expect(purchased[0].n).toBe(outcomes.filter((o) => o === 'created').length);
      expect(new Set(outcomes)).toEqual(new Set(['created', 'unbound']));
    } finally {
      await Promise.all([buyer.close(), revoker.close()]);
      await db.dispose();
    }
  });

  it('concurrent purchases of one title with fresh keys on two stores make one entitlement; the others say held', async () => {
    const db = await createPostgresTestDatabase(url!);
    const stores = [await db.openStore(), await db.openStore()];
    try {
      await stores[0].upsertContent(TITLE, T0);
      const users = await Promise.all(Array.from({ length: 10 }, (_, u) => boundBinding(stores[0], `u-${u}`)));
      const results = await Promise.all(
        users.flatMap((b) => Array.from({ length: 8 }, (_, i) => purchaseOn(stores[i % 2], b))),
      );
      const rows = await db.query<{ user_id: string; id: string }>('select user_id, id from entitlements');
      expect(rows.map((r) => r.user_id).sort()).toEqual(users.map((b) => b.userId).sort());
      const made = new Map(rows.map((r) => [r.user_id, r.id]));
      for (const r of results) {
        expect(r.outcome).toMatch(/^(created|held)$/);
        if (r.outcome !== 'unbound') expect(r.entitlement.id).toBe(made.get(r.entitlement.userId));
      }
      expect(results.filter((r) => r.outcome === 'created')).toHaveLength(users.length);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
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
