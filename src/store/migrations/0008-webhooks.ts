import { sql, type Kysely } from 'kysely';

// Signed webhooks through a transactional outbox. The store's writeEvent inserts one delivery per enabled endpoint
// subscribed to the event's type, in the event's transaction (`insert … select from webhook_endpoints`): an event
// that rolls back queues nothing, and a committed one is never lost. Workers on any replica claim due deliveries
// with `for update skip locked`.
//
// webhook_endpoints: the secret is stored encrypted like content keys (content-key-cipher.ts), never in clear.
// webhook_deliveries: the id is the `webhook-id` header (`msg_<uuid>`), the same on every attempt and replay, so that
// receivers dedupe on it. The body is kept as the exact text sent (every attempt signs the same bytes). A claim sets
// SENDING with a lease and moves next_attempt_at to the lease's end: one partial index on next_attempt_at then finds
// both what is due and what a crashed worker left behind. queued_at starts the retry window (reset by a replay).
// No foreign key to events, like events' own ids (see 0007).
// webhook_attempts: one row per POST, keyed (delivery, number); never the receiver's body beyond a short snippet.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('event_types', sql`text[]`, (c) => c.notNull())
    .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_endpoints_created_at_id')
    .on('webhook_endpoints')
    .columns(['created_at', 'id'])
    .execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id'))
    .addColumn('event_id', 'bigint', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('lease_until', 'timestamptz')
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .execute();
  // The workers' claim: `where status in ('PENDING', 'SENDING') and next_attempt_at <= $now order by next_attempt_at`.
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .column('next_attempt_at')
    .where(sql.ref('status'), 'in', sql`('PENDING', 'SENDING')`)
    .execute();
  // Admin pages, newest first, per endpoint and per endpoint and status.
  await db.schema
    .createIndex('webhook_deliveries_endpoint_created_at_id')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_endpoint_status_created_at_id')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'status', 'created_at', 'id'])
    .execute();
  await db.schema
    .createTable('webhook_attempts')
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error_kind', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('response_snippet', 'text')
    .addPrimaryKeyConstraint('webhook_attempts_pkey', ['delivery_id', 'number'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_attempts').execute();
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('webhook_endpoints').execute();
}
