/**
 * Stores for tests. With TEST_DATABASE_URL, a real PostgreSQL server with a schema of its own per store (empty, and
 * dropped when the run ends), so parallel test files share one server. Otherwise in-memory PGlite copied from a migrated template:
 * a copy takes about 0.5 s where a new PGlite (initdb) takes 2 s or more.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { createStore, type StoreLogger } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/types.js';

export type TestStoreBackend = 'pglite' | 'postgres';

export function testStoreBackend(): TestStoreBackend {
  return process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
}

/**
 * One empty, migrated database that stores can be opened on, one after another (PGlite is a single session) or
 * several at once (PostgreSQL), with the same key or another one. For tests that look under the store.
 */
export interface TestDatabase {
  readonly backend: TestStoreBackend;
  /** Where the tables are; on PostgreSQL also the application_name of the store's connections. */
  readonly schema: string;
  /** The key stores open with unless told otherwise. */
  readonly key: Buffer;
  openStore(options?: { key?: Buffer; logger?: StoreLogger; poolIdleSeconds?: number }): Promise<Store>;
  /** Raw SQL on the same database and schema, bypassing the store. */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  dispose(): Promise<void>;
}

/** A ready store on a fresh database; close() also disposes of the database. */
export async function createTestStore(backend: TestStoreBackend = testStoreBackend()): Promise<Store> {
  const database = await createTestDatabase(backend);
  const store = await database.openStore();
  let closing: Promise<void> | undefined;
  return {
    ...store,
    close: () => (closing ??= store.close().finally(() => database.dispose())),
  };
}

export function createTestDatabase(backend: TestStoreBackend = testStoreBackend()): Promise<TestDatabase> {
  const url = process.env.TEST_DATABASE_URL;
  if (backend === 'postgres' && !url) throw new Error('the postgres backend needs TEST_DATABASE_URL');
  return backend === 'postgres' ? createPostgresTestDatabase(url!) : createPgliteTestDatabase();
}

/**
 * A fresh schema name. In a Vitest run, with the run's prefix: the global setup (postgres-schemas.ts) drops them all
 * when the run is over, so that `dropped` is false and no schema is dropped while other files migrate theirs.
 */
export function testSchemaName(): { name: string; dropped: boolean } {
  const prefix = inject('testSchemaPrefix');
  return { name: `${prefix ?? 'test_'}${randomBytes(8).toString('hex')}`, dropped: prefix === undefined };
}

/**
 * The run's migrated schemas that no test holds (see postgres-schemas.ts). A disposed database goes back to it emptied
 * rather than dropped, so that a run keeps about as many schemas as files run at once: Kysely's migrator lists the
 * tables and columns of every schema on the server at each store open, and that listing grew with every schema a run
 * had made (about 1 s per open with 150 schemas, 0.3 s with none). A schema that a test changed (a migration rolled
 * back, a trigger added) is not handed out again.
 */
const POOL = 'public.test_schema_pool';

/** The shape of a schema: its columns, constraints, indexes, triggers, functions and applied migrations. */
async function schemaShape(
  query: <R>(text: string, params: unknown[]) => Promise<R[]>,
  schema: string,
): Promise<string> {
  const rows = await query<{ shape: string }>(
    `select md5(coalesce(string_agg(x, ',' order by x), '')) as shape from (
       select 'col:' || table_name || '.' || column_name || ':' || data_type || ':' || coalesce(column_default, '')
         || ':' || is_nullable from information_schema.columns where table_schema = $1
       union all select 'con:' || conname || ':' || pg_get_constraintdef(c.oid) from pg_constraint c
         join pg_namespace n on n.oid = c.connamespace where n.nspname = $1
       union all select 'idx:' || indexdef from pg_indexes where schemaname = $1
       union all select 'trg:' || tgname from pg_trigger t join pg_class c on c.oid = t.tgrelid
         join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and not t.tgisinternal
       union all select 'fn:' || proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = $1
       union all select 'mig:' || name from kysely_migration
     ) s(x)`,
    [schema],
  );
  return rows[0].shape;
}

/** A free pooled schema of this run, now held; undefined when there is none. */
async function claimPooledSchema(url: string, prefix: string): Promise<{ name: string; shape: string } | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; shape: string }>(
      `update ${POOL} set free = false where name = (
         select name from ${POOL} where free and starts_with(name, $1) limit 1 for update skip locked
       ) returning name, shape`,
      [prefix],
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

export async function createPostgresTestDatabase(url: string): Promise<TestDatabase> {
  const key = randomBytes(32);
  const prefix = inject('testSchemaPrefix');
  const pooled = prefix === undefined ? undefined : await claimPooledSchema(url, prefix);
  const { name: schema, dropped } = pooled ? { name: pooled.name, dropped: false } : testSchemaName();
  // A pool, not a client: it survives the server restart of restart.test.ts (the error listener keeps a dropped
  // connection from crashing the worker), so dispose() still gets to drop the schema.
  const admin = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: 1 });
  admin.on('error', () => undefined);
  const adminQuery = async <R>(text: string, params?: unknown[]) => (await admin.query(text, params)).rows as R[];
  let shape = pooled?.shape;
  if (!pooled) {
    // Migrate now, so the database is ready like the PGlite one, whatever the test opens afterwards.
    await (await createStore({ databaseUrl: url, schema, contentKeyEncryptionKey: key, poolSize: 2 })).close();
    if (!dropped) {
      shape = await schemaShape(adminQuery, schema);
      await admin.query(`insert into ${POOL} (name, shape, free) values ($1, $2, false)`, [schema, shape]);
    }
  }
  return {
    backend: 'postgres',
    key,
    schema,
    openStore: (o = {}) =>
      createStore({
        databaseUrl: url,
        schema,
        applicationName: schema,
        contentKeyEncryptionKey: o.key ?? key,
        logger: o.logger,
        poolSize: 4,
        poolIdleSeconds: o.poolIdleSeconds,
      }),
    query: adminQuery,
    async dispose() {
      try {
        if (dropped) {
          await admin.query(`drop schema if exists ${schema} cascade`);
        } else if ((await schemaShape(adminQuery, schema)) === shape) {
          // Emptied as it was after its migrations (their bookkeeping kept), then free for the next test.
          const { rows } = await admin.query<{ tablename: string }>(
            `select tablename from pg_tables where schemaname = $1 and tablename not like 'kysely_migration%'`,
            [schema],
          );
          const tables = rows.map((r) => `${schema}.${r.tablename}`).join(', ');
          await admin.query(`truncate ${tables} restart identity cascade`);
          await admin.query(`update ${POOL} set free = true where name = $1`, [schema]);
        }
      } finally {
        await admin.end();
      }
    },
  };
}

/** An in-memory PGlite copied from the migrated template (its tables in `public`, empty). */
export async function migratedPglite(): Promise<PGlite> {
  return PGlite.create({ loadDataDir: await pgliteTemplate() });
}

/**
 * A PGlite data directory on disk holding the migrated template, for tests that need a folder the service opens (and
 * not its creation): writing the template takes about a third of the CPU of a new PGlite's initdb.
 */
export async function migratedDataDir(dataDir: string): Promise<void> {
  await (await PGlite.create({ dataDir, loadDataDir: await pgliteTemplate() })).close();
}

/**
 * Disposed PGlite databases of this worker, emptied, for the next test to take: a copy of the template costs about
 * 0.6 s of CPU, emptying one a few milliseconds. Only those whose shape no test changed, and only a few.
 */
const idlePglites: Array<{ lite: PGlite; shape: string }> = [];
const MAX_IDLE_PGLITES = 2;

export async function createPgliteTestDatabase(): Promise<TestDatabase> {
  const key = randomBytes(32);
  const idle = idlePglites.pop();
  const lite = idle?.lite ?? (await migratedPglite());
  const query = async <R>(text: string, params?: unknown[]) => (await lite.query<R>(text, params)).rows;
  const shape = idle?.shape ?? (await schemaShape(query, 'public'));
  return {
    backend: 'pglite',
    schema: 'public',
    key,
    openStore: (o = {}) =>
      createStore({ pglite: lite, keepPgliteOpen: true, contentKeyEncryptionKey: o.key ?? key, logger: o.logger }),
    query,
    async dispose() {
      if (lite.closed) return;
      // PGlite is one session: nothing of a test's session (an open transaction, a setting) may reach the next.
      await lite.exec('rollback; reset all');
      if (idlePglites.length < MAX_IDLE_PGLITES && (await schemaShape(query, 'public')) === shape) {
        const tables = await query<{ tablename: string }>(
          `select tablename from pg_tables where schemaname = 'public' and tablename not like 'kysely_migration%'`,
        );
        await lite.exec(`truncate ${tables.map((t) => `public.${t.tablename}`).join(', ')} restart identity cascade`);
        idlePglites.push({ lite, shape });
      } else {
        await lite.close();
      }
    },
  };
}

let template: Promise<Blob> | undefined;

/**
 * A dump of a migrated PGlite, made once per worker (vitest runs each test file in its own process) and kept on disk
 * between processes and runs, keyed by the PGlite version and the migrations' source. A copy loads as fast as
 * clone() does, a plain tarball holds no idle PGlite (hundreds of MB), and only the first file ever pays for initdb.
 */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const cached = join(tmpdir(), 'entitlement-api-test-pglite', `${await templateFingerprint()}.tar`);
    try {
      return new Blob([await readFile(cached)]);
    } catch {
      // Not built yet: build it below.
    }
    const lite = await PGlite.create();
    try {
      await (
        await createStore({ pglite: lite, keepPgliteOpen: true, contentKeyEncryptionKey: randomBytes(32) })
      ).close();
      const dump = await lite.dumpDataDir('none');
      // Written aside and renamed into place, so a worker reading it never sees half a file.
      await mkdir(dirname(cached), { recursive: true });
      const partial = `${cached}.${process.pid}.tmp`;
      await writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
      await rename(partial, cached);
      return dump;
    } finally {
      await lite.close();
    }
  })();
  return template;
}

async function templateFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  const pgliteRoot = dirname(dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')));
  hash.update(await readFile(join(pgliteRoot, 'package.json')));
  const storeDir = fileURLToPath(new URL('../../src/store/', import.meta.url));
  const migrations = (await readdir(join(storeDir, 'migrations'))).sort().map((f) => join('migrations', f));
  for (const file of ['migrate.ts', ...migrations]) {
    hash.update(file).update(await readFile(join(storeDir, file)));
  }
  return hash.digest('hex').slice(0, 16);
}
