import type { Kysely } from 'kysely';

// Lets a rate-limit hit find other users' stale windows of the same action without a scan (pg-store.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('rate_limits_action_window')
    .on('rate_limits')
    .columns(['action', 'window_start'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('rate_limits_action_window').execute();
}
