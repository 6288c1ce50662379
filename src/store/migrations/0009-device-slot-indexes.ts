import { sql, type Kysely } from 'kysely';

// bindDevice's device-slot check reads a user's PENDING and BOUND bindings and the bound devices revoked within the
// swap cool-down, not their whole history: `where user_id = ? and (status in ('PENDING', 'BOUND') or (status =
// 'REVOKED' and bound_at is not null and not cooldown_waived and revoked_at > ?))`. Two partial indexes serve the two
// arms (a bitmap OR), so a user with thousands of old bindings costs what one with two does.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('bindings_user_id_active')
    .on('bindings')
    .column('user_id')
    .where(sql<boolean>`status in ('PENDING', 'BOUND')`)
    .execute();
  await db.schema
    .createIndex('bindings_user_id_revoked_at_cooling')
    .on('bindings')
    .columns(['user_id', 'revoked_at'])
    .where(sql<boolean>`status = 'REVOKED' and bound_at is not null and not cooldown_waived`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('bindings_user_id_revoked_at_cooling').execute();
  await db.schema.dropIndex('bindings_user_id_active').execute();
}
