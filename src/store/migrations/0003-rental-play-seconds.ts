import { sql, type Kysely } from 'kysely';

// A rental's play duration is part of what the user rented: kept on the entitlement, so a later catalog change
// does not alter rentals already made. Rentals from before this migration take their title's current terms.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('entitlements')
    .addColumn('play_seconds', 'integer', (c) => c.check(sql`play_seconds >= 0`))
    .execute();
  await sql`
    update entitlements set play_seconds = contents.rental_play_seconds
    from contents where entitlements.kind = 'RENTAL' and contents.id = entitlements.content_id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('entitlements').dropColumn('play_seconds').execute();
}
