import { sql, type Kysely } from 'kysely';

// A title's policy says whether its licenses may be stored for offline play; titles from before this migration
// stay streaming-only until an admin says otherwise (download rights are the studio's to grant).
//
// An admin may revoke an entitlement (refund, chargeback): who, when and why are kept on the row, which is never
// deleted, so the user sees it as revoked. A revoked purchase no longer counts as the one purchase of the title: the
// unique index is narrowed to purchases not revoked, so that the user can buy the title again after a refund.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('contents')
    .addColumn('offline_allowed', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema
    .alterTable('entitlements')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'text')
    .addColumn('revoke_reason', 'text')
    .execute();
  await db.schema.dropIndex('entitlements_one_purchase').execute();
  await db.schema
    .createIndex('entitlements_one_purchase')
    .on('entitlements')
    .columns(['user_id', 'content_id'])
    .unique()
    .where(sql<boolean>`kind = 'PURCHASE' and revoked_at is null`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('entitlements_one_purchase').execute();
  await db.schema
    .createIndex('entitlements_one_purchase')
    .on('entitlements')
    .columns(['user_id', 'content_id'])
    .unique()
    .where(sql.ref('kind'), '=', 'PURCHASE')
    .execute();
  await db.schema
    .alterTable('entitlements')
    .dropColumn('revoked_at')
    .dropColumn('revoked_by')
    .dropColumn('revoke_reason')
    .execute();
  await db.schema.alterTable('contents').dropColumn('offline_allowed').execute();
}
