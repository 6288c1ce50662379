import { sql, type Kysely } from 'kysely';

// One purchase per user and title, enforced by the database: concurrent purchases on several replicas used to make
// several rows. (A running rental depends on the time, which an index cannot express: createEntitlement takes a
// per-user lock for that.)
//
// Duplicates made before this migration would break the index: the oldest purchase of each user and title is kept
// and the later copies are deleted. Nothing is lost: a purchase never expires, every copy granted the same title
// for ever, and nothing references an entitlement. A retry with a deleted copy's idempotency key finds the kept
// purchase, since createEntitlement returns what the user holds before it looks at the key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    delete from entitlements e using entitlements kept
    where e.kind = 'PURCHASE' and kept.kind = 'PURCHASE'
      and kept.user_id = e.user_id and kept.content_id = e.content_id
      and (kept.created_at, kept.id) < (e.created_at, e.id)`.execute(db);
  await db.schema
    .createIndex('entitlements_one_purchase')
    .on('entitlements')
    .columns(['user_id', 'content_id'])
    .unique()
    .where(sql.ref('kind'), '=', 'PURCHASE')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('entitlements_one_purchase').execute();
}
