/**
 * Vitest global setup: the PostgreSQL schemas of one run are dropped once the run is over, not while it runs. Files
 * run side by side on one server, and Kysely's migrator lists the tables of every schema
 * (`has_schema_privilege(nspname, …)` by name): a schema dropped by one file between that query's catalog snapshot and
 * its call failed another file's migration with `schema "test_…" does not exist`.
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

export function setup(project: TestProject): () => Promise<void> {
  const prefix = `test_${randomBytes(4).toString('hex')}_`;
  project.provide('testSchemaPrefix', prefix);
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
    } finally {
      await client.end();
    }
  };
}
