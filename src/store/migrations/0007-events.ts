import { sql, type Kysely } from 'kysely';

// An append-only history of what happened to a user's bindings and entitlements, written by the store in the same
// transaction as the change it records, so that history and state never disagree. Rows are never updated or
// deleted. No foreign keys: an event names ids that later rows may outlive or never had (a refused binding).
// The id is an identity: events of one instant keep the order they were written in, and pages break ties on it.
// `data` holds the typed details of each event type (device id, DRM, reason...), never a key, token or license URL.
//
// Pages read newest first: `where user_id = ? and (at, id) < (?, ?) order by at desc, id desc limit ?`, straight off
// (user_id, at, id) backwards, as migration 0006's indexes; per binding and per entitlement likewise, on partial
// indexes that leave out the events that name none.
//
// Bindings keep the time of their last license token (support's "when was this device last used"), and whether
// support removed them with the swap cool-down waived: such a binding no longer counts towards the cool-down.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    // Null: the service itself (a pending binding expired).
    .addColumn('actor_id', 'text')
    .addColumn('actor_admin', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('binding_id', 'text')
    .addColumn('entitlement_id', 'text')
    .addColumn('content_id', 'text')
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('events_user_id_at_id').on('events').columns(['user_id', 'at', 'id']).execute();
  await db.schema
    .createIndex('events_binding_id_at_id')
    .on('events')
    .columns(['binding_id', 'at', 'id'])
    .where(sql.ref('binding_id'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('events_entitlement_id_at_id')
    .on('events')
    .columns(['entitlement_id', 'at', 'id'])
    .where(sql.ref('entitlement_id'), 'is not', null)
    .execute();
  await db.schema
    .alterTable('bindings')
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('cooldown_waived', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('bindings').dropColumn('last_used_at').dropColumn('cooldown_waived').execute();
  await db.schema.dropTable('events').execute();
}
