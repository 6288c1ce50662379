import { sql, type Kysely } from 'kysely';

// Migrations take an untyped Kysely on purpose: they describe the schema as it was then, not as database.ts describes
// it today. Tables are created unqualified and land in the connection's search_path (see create-store.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('contents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('content_key_ciphertext', 'text', (c) => c.notNull())
    .addColumn('iv', 'text')
    .addColumn('rental_period_seconds', 'integer', (c) => c.notNull().check(sql`rental_period_seconds >= 0`))
    .addColumn('rental_play_seconds', 'integer', (c) => c.notNull().check(sql`rental_play_seconds >= 0`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('bindings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('cookie', 'text', (c) => c.notNull().unique())
    .addColumn('drm', 'text', (c) => c.notNull().check(sql`drm in ('fp', 'wv', 'pr')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('PENDING', 'BOUND', 'REVOKED', 'EXPIRED')`))
    .addColumn('device_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('bound_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('pending_expires_at', 'timestamptz', (c) => c.notNull())
    // A bound binding always says which device and when; a revoked one says when.
    .addCheckConstraint(
      'bindings_bound_has_device',
      sql`status <> 'BOUND' or (device_id is not null and bound_at is not null)`,
    )
    .addCheckConstraint('bindings_revoked_has_time', sql`status <> 'REVOKED' or revoked_at is not null`)
    .execute();
  // Serves both "bindings of a user" and its newest-first order.
  await db.schema
    .createIndex('bindings_user_id_created_at')
    .on('bindings')
    .columns(['user_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('entitlements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('content_id', 'text', (c) => c.notNull().references('contents.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('PURCHASE', 'RENTAL')`))
    .addColumn('binding_id', 'text', (c) => c.notNull().references('bindings.id'))
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    // The target of createEntitlement's ON CONFLICT: what makes retries and concurrent calls produce one row.
    .addUniqueConstraint('entitlements_user_id_idempotency_key', ['user_id', 'idempotency_key'])
    .addCheckConstraint('entitlements_rental_expires', sql`(kind = 'RENTAL') = (expires_at is not null)`)
    .execute();
  await db.schema
    .createIndex('entitlements_user_id_content_id_created_at')
    .on('entitlements')
    .columns(['user_id', 'content_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('entitlements_user_id_created_at')
    .on('entitlements')
    .columns(['user_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('rate_limits')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limits_pkey', ['user_id', 'action', 'window_start'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute();
  await db.schema.dropTable('entitlements').execute();
  await db.schema.dropTable('bindings').execute();
  await db.schema.dropTable('contents').execute();
}
