/**
 * Vitest global setup: the PostgreSQL schemas of one run are dropped once the run is over, not while it runs; until
 * then a test's schema, emptied, serves the next test (tests/helpers/test-store.ts). Files run side by side on one
 * server, and Kysely's migrator lists the tables of every schema (`has_schema_privilege(nspname, …)` by name): a schema
 * dropped between that query's catalog snapshot and its call fails the listing with `schema "test_…" does not exist`.
 * The store tries the listing again, but a run of drops could still beat it three times.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Every test schema of this run starts with it (tests/helpers/test-store.ts). */
    testSchemaPrefix: string;
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const prefix = `test_${randomBytes(4).toString('hex')}_`;
  project.provide('testSchemaPrefix', prefix);
  if (process.env.TEST_DATABASE_URL) {
    // The run's emptied schemas, ready for the next test (tests/helpers/test-store.ts); shared with other runs on the
    // server, each taking only its own prefix.
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(
        'create table if not exists public.test_schema_pool (name text primary key, shape text not null, free boolean not null)',
      );
    } catch (error) {
      // Another project's setup made it at the same moment ("if not exists" does not cover that race).
      if ((error as { code?: string }).code !== '23505') throw error;
    } finally {
      await client.end();
    }
  }
  return async () => {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ nspname: string }>(
        'select nspname from pg_namespace where starts_with(nspname, $1)',
        [prefix],
      );
      for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
      await client.query('delete from public.test_schema_pool where starts_with(name, $1)', [prefix]);
    } finally {
      await client.end();
    }
  };
}
