/**
 * Brings the schema to the latest migration. Runs on every open; a no-op once applied.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './migrations/0001-initial.js';
import * as rateLimitSweep from './migrations/0002-rate-limit-sweep.js';
import * as rentalPlaySeconds from './migrations/0003-rental-play-seconds.js';
import * as onePurchasePerTitle from './migrations/0004-one-purchase-per-title.js';
import * as offlineAndRevocation from './migrations/0005-offline-and-revocation.js';
import * as pageIndexes from './migrations/0006-page-indexes.js';
import * as events from './migrations/0007-events.js';
import * as webhooks from './migrations/0008-webhooks.js';
import * as deviceSlotIndexes from './migrations/0009-device-slot-indexes.js';

// A static list rather than Kysely's FileMigrationProvider: it works the same from src/ under tsx or vitest and from
// dist/ after tsc, with no reading of folders at run time. Names sort in the order they must run.
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-rate-limit-sweep': rateLimitSweep,
  '0003-rental-play-seconds': rentalPlaySeconds,
  '0004-one-purchase-per-title': onePurchasePerTitle,
  '0005-offline-and-revocation': offlineAndRevocation,
  '0006-page-indexes': pageIndexes,
  '0007-events': events,
  '0008-webhooks': webhooks,
  '0009-device-slot-indexes': deviceSlotIndexes,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export interface MigrationLogger {
  info(obj: object, msg?: string): void;
}

/**
 * SQLSTATEs of a schema, table or column that vanished under Kysely's introspection: invalid_schema_name,
 * undefined_table, undefined_column.
 */
const VANISHED = new Set(['3F000', '42P01', '42703']);

/** Tries in all: a race needs another DDL statement at the very moment, so a third loss in a row is not one. */
const INTROSPECTION_ATTEMPTS = 3;

/**
 * Replicas that start together on one database are safe: Kysely's PostgreSQL adapter holds a session advisory lock
 * (`pg_advisory_lock`) around reading the applied list and running what is missing, all in one transaction.
 *
 * Before taking that lock, Kysely's migrator looks for its bookkeeping tables by listing the tables and columns of
 * every schema on the server (its introspector has no schema filter). A schema, table or column that another
 * application, tenant or migration drops during that listing fails it with "does not exist", though nothing of ours
 * was touched: the listing is tried again, a bounded number of times and for that error only.
 */
export async function migrateToLatest(db: Kysely<unknown>, schema: string, logger?: MigrationLogger): Promise<void> {
  const migrator = new Migrator({
    db,
    provider,
    // Also for `public`: without a schema, Kysely looks for its bookkeeping table in every schema and would take a
    // neighbour's (tests share one server through several schemas) for ours.
    migrationTableSchema: schema,
  });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    for (const result of results ?? []) {
      if (result.status === 'Success') logger?.info({ migration: result.migrationName, schema }, 'database migrated');
    }
    if (error === undefined) return;
    // No results: it failed before any migration ran (in the bookkeeping checks), so trying again changes nothing.
    if (results === undefined && lostIntrospectionRace(error) && attempt < INTROSPECTION_ATTEMPTS) continue;
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Database migration ${failed ? `"${failed}" ` : ''}failed`, { cause: error });
  }
}

function lostIntrospectionRace(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && VANISHED.has(code);
}
