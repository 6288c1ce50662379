import type { Kysely } from 'kysely';

// Keyset pages of a user's bindings and entitlements, newest first: `where user_id = ? and (created_at, id) < (?, ?)
// order by created_at desc, id desc limit ?`. With id in the index, PostgreSQL reads one page straight off it
// backwards, however many rows the user has, and never sorts. The old (user_id, created_at) indexes are prefixes
// of the new ones and go. Contents page by their primary key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('bindings_user_id_created_at_id')
    .on('bindings')
    .columns(['user_id', 'created_at', 'id'])
    .execute();
  await db.schema.dropIndex('bindings_user_id_created_at').execute();
  await db.schema
    .createIndex('entitlements_user_id_created_at_id')
    .on('entitlements')
    .columns(['user_id', 'created_at', 'id'])
    .execute();
  await db.schema.dropIndex('entitlements_user_id_created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('entitlements_user_id_created_at')
    .on('entitlements')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema.dropIndex('entitlements_user_id_created_at_id').execute();
  await db.schema
    .createIndex('bindings_user_id_created_at')
    .on('bindings')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema.dropIndex('bindings_user_id_created_at_id').execute();
}
