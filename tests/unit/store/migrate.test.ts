/**
 * migrateToLatest over a real (PGlite) database whose catalog listing fails the way a neighbour's concurrent DDL makes
 * it fail on a shared PostgreSQL server: "does not exist" for a schema, table or column that is not ours.
 */
import type { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../../src/store/migrate.js';
import { migratedPglite } from '../../helpers/test-store.js';

/** Kysely's table listing: the query that lists the columns of every schema on the server. */
const LISTING = /from "pg_catalog"\."pg_attribute"/;

/** The error pg raises when a schema vanishes between the listing's catalog snapshot and its has_schema_privilege. */
function vanished(code: string): Error {
  return Object.assign(new Error('schema "test_neighbour" does not exist'), { code, severity: 'ERROR' });
}

describe('migrateToLatest', () => {
  let lite: PGlite;
  let schemas = 0;
  beforeAll(async () => {
    lite = await migratedPglite();
  });
  afterAll(async () => {
    await lite.close();
  });

  /** A database whose next `failures` listings fail with `code`, and a count of the listings it ran. */
  async function database(failures: number, code: string) {
    const pool = new pg.Pool({ ...(createPgConfig(lite) as unknown as pg.PoolConfig), max: 1 });
    const listings = { count: 0 };
    const failing: PostgresPool = {
      async connect() {
        const client = await pool.connect();
        return {
          release: () => client.release(),
          query: async (sql: string, parameters: ReadonlyArray<unknown>) => {
            if (LISTING.test(sql) && ++listings.count <= failures) throw vanished(code);
            return client.query(sql, parameters as unknown[]);
          },
        } as unknown as Awaited<ReturnType<PostgresPool['connect']>>;
      },
      end: () => pool.end(),
    };
    // A schema of its own each time, so that every call has all its migrations to run.
    const schema = `tenant_${++schemas}`;
    await lite.exec(`create schema ${schema}; set search_path to ${schema}`);
    return { db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool: failing }) }), schema, listings };
  }

  it('lists the tables again when a schema, table or column vanished under the listing, and then migrates', async () => {
    for (const code of ['3F000', '42P01', '42703']) {
      const { db, schema, listings } = await database(2, code);
      const logged: object[] = [];
      try {
        await migrateToLatest(db, schema, { info: (obj) => logged.push(obj) });
      } finally {
        await db.destroy();
      }
      expect(listings.count, code).toBeGreaterThan(2);
      expect(logged, code).toContainEqual({ migration: '0001-initial', schema });
      expect(logged, code).toContainEqual({ migration: '0007-events', schema });
      expect((await lite.query(`select count(*)::int as n from ${schema}.kysely_migration`)).rows, code).toEqual([
        { n: logged.length },
      ]);
    }
  });

  it('gives up after three listings that fail, with the database error as the cause', async () => {
    const { db, schema, listings } = await database(Number.POSITIVE_INFINITY, '3F000');
    const error = await migrateToLatest(db, schema).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    await db.destroy();
    expect(error?.message).toBe('Database migration failed');
    expect(error?.cause).toMatchObject({ code: '3F000' });
    expect(listings.count).toBe(3);
  });

  it('does not try again for any other error', async () => {
    // insufficient_privilege: trying again cannot help, and would only hide the cause for longer.
    const { db, schema, listings } = await database(Number.POSITIVE_INFINITY, '42501');
    const error = await migrateToLatest(db, schema).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    await db.destroy();
    expect(error?.cause).toMatchObject({ code: '42501' });
    expect(listings.count).toBe(1);
  });
});
