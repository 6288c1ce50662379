/**
 * The Store over Kysely. Every state change is one conditional statement, so that replicas racing on the same row
 * cannot both win: the WHERE clause, the unique constraint or the upsert decides, never a read followed by a write.
 * The exceptions, a binding admitted by a policy over the user's other bindings and a purchase or rental that must
 * not duplicate one the user holds, read and write under a per-user advisory lock.
 */
import { sql, type Kysely } from 'kysely';
import type { ContentKeyCipher } from './content-key-cipher.js';
import type { BindingRow, ContentRow, Database, EntitlementRow } from './database.js';
import type {
  BindingRecord,
  CatalogEntry,
  ContentInput,
  CreateEntitlementResult,
  ContentRecord,
  EntitlementRecord,
  EntitlementRevocation,
  NewBinding,
  NewEntitlement,
  Store,
  TimeKeyset,
} from './types.js';

/** Other users' stale rate-limit windows removed by each window-opening hit. */
const STALE_WINDOWS_PER_SWEEP = 100;

export interface PgStoreOptions {
  readonly db: Kysely<Database>;
  readonly cipher: ContentKeyCipher;
  /** Releases what the store holds (pool, PGlite); called once by close(). */
  readonly onClose: () => Promise<void>;
}

export function createPgStore({ db, cipher, onClose }: PgStoreOptions): Store {
  let closing: Promise<void> | undefined;

  /** A user's entitlements, all or to one content, newest first. */
  const entitlementsOf = async (userId: string, contentId?: string): Promise<EntitlementRecord[]> => {
    let query = db.selectFrom('entitlements').selectAll().where('user_id', '=', userId);
    if (contentId !== undefined) query = query.where('content_id', '=', contentId);
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map(toEntitlement);
  };

  /**
   * A keyset page of one user's rows of `table`, newest first. The row comparison matches the index
   * (user_id, created_at, id), read backwards: one page costs the same at any depth and needs no sort.
   */
  const pageOf = (table: 'bindings' | 'entitlements', userId: string, limit: number, after: TimeKeyset | null) => {
    // Typed as bindings: the columns used here are the same in both tables; the callers map the rows.
    let query = db
      .selectFrom(table as 'bindings')
      .selectAll()
      .where('user_id', '=', userId);
    if (after !== null) {
      query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.createdAt, after.id)));
    }
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  };

  const toContent = (row: ContentRow): ContentRecord => ({
    ...toCatalogEntry(row),
    contentKey: cipher.decrypt(row.content_key_ciphertext, row.id),
  });

  const bindingById = async (id: string): Promise<BindingRecord | null> => {
    const row = await db.selectFrom('bindings').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toBinding(row) : null;
  };

  return {
    async upsertContent(content: ContentInput, now: Date): Promise<ContentRecord> {
      const values = {
        title: content.title,
        key_id: content.keyId,
        content_key_ciphertext: cipher.encrypt(content.contentKey, content.id),
        iv: content.iv,
        rental_period_seconds: content.rentalPeriodSeconds,
        rental_play_seconds: content.rentalPlaySeconds,
        offline_allowed: content.offlineAllowed ?? false,
        updated_at: now,
      };
      // created_at is left out of the update set, so it keeps the first insert's time.
      const row = await db
        .insertInto('contents')
        .values({ id: content.id, created_at: now, ...values })
        .onConflict((oc) => oc.column('id').doUpdateSet(values))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toContent(row);
    },

    async getContent(id) {
      const row = await db.selectFrom('contents').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toContent(row) : null;
    },

    async listContents() {
      const rows = await db.selectFrom('contents').selectAll().orderBy('id').execute();
      return rows.map(toContent);
    },

    async listContentsPage(limit, afterId) {
      let query = db.selectFrom('contents').select(CATALOG_COLUMNS);
      if (afterId !== null) query = query.where('id', '>', afterId);
      const rows = await query.orderBy('id').limit(limit).execute();
      return rows.map(toCatalogEntry);
    },

    async contentsByIds(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('contents')
        .select(CATALOG_COLUMNS)
        .where('id', 'in', [...ids])
        .execute();
      return rows.map(toCatalogEntry);
    },

    async createBinding(binding: NewBinding, admit?: (current: readonly BindingRecord[]) => void) {
      if (admit) {
        return db.transaction().execute(async (trx) => {
          await lockUser(trx, binding.userId);
          const current = await trx.selectFrom('bindings').selectAll().where('user_id', '=', binding.userId).execute();
          admit(current.map(toBinding));
          return toBinding(await insertBinding(trx, binding));
        });
      }
      return toBinding(await insertBinding(db, binding));
    },

    getBinding: bindingById,

    async listBindings(userId) {
      const rows = await db
        .selectFrom('bindings')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toBinding);
    },

    async listBindingsPage(userId, limit, after) {
      return (await pageOf('bindings', userId, limit, after)).map(toBinding);
    },

    async markBound(id, deviceId, boundAt) {
      const row = await db
        .updateTable('bindings')
        .set({ status: 'BOUND', device_id: deviceId, bound_at: boundAt })
        .where('id', '=', id)
        .where('status', '=', 'PENDING')
        .returningAll()
        .executeTakeFirst();
      // Nothing updated: unknown, or no longer PENDING (a concurrent bind won, or it expired or was revoked).
      return row ? toBinding(row) : bindingById(id);
    },

    async revokeBinding(id, revokedAt) {
      const row = await db
        .updateTable('bindings')
        .set({ status: 'REVOKED', revoked_at: revokedAt })
        .where('id', '=', id)
        .where('status', 'in', ['PENDING', 'BOUND'])
        .returningAll()
        .executeTakeFirst();
      return row ? toBinding(row) : bindingById(id);
    },

    async expirePendingBindings(userId, now) {
      await db
        .updateTable('bindings')
        .set({ status: 'EXPIRED' })
        .where('user_id', '=', userId)
        .where('status', '=', 'PENDING')
        .where('pending_expires_at', '<=', now)
        .execute();
    },

    async createEntitlement(entitlement: NewEntitlement): Promise<CreateEntitlementResult> {
      return db.transaction().execute(async (trx) => {
        // The per-user lock (lockUser): whether the user holds a running rental depends on the time, which no
        // unique index can express, so concurrent acquisitions of one user (on any replica) take turns. The lock is
        // released at commit, after the row is visible: the next holder's first statement sees it.
        await lockUser(trx, entitlement.userId);
        const held = await trx
          .selectFrom('entitlements')
          .selectAll()
          .where('user_id', '=', entitlement.userId)
          .where('content_id', '=', entitlement.contentId)
          .where('kind', '=', entitlement.kind)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', entitlement.createdAt)]))
          // A revoked entitlement is held no more: a new purchase or rental (a new key) makes a new one.
          .where('revoked_at', 'is', null)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (held) {
          const outcome = held.idempotency_key === entitlement.idempotencyKey ? 'existing' : 'held';
          return { entitlement: toEntitlement(held), outcome };
        }
        const inserted = await trx
          .insertInto('entitlements')
          .values({
            id: entitlement.id,
            user_id: entitlement.userId,
            content_id: entitlement.contentId,
            kind: entitlement.kind,
            binding_id: entitlement.bindingId,
            idempotency_key: entitlement.idempotencyKey,
            created_at: entitlement.createdAt,
            expires_at: entitlement.expiresAt,
            play_seconds: entitlement.playSeconds,
          })
          // Under the lock no other call of this user can insert the key meanwhile; the clause keeps the key's
          // uniqueness a plain answer rather than an error all the same.
          .onConflict((oc) => oc.columns(['user_id', 'idempotency_key']).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (inserted) return { entitlement: toEntitlement(inserted), outcome: 'created' };
        const existing = await trx
          .selectFrom('entitlements')
          .selectAll()
          .where('user_id', '=', entitlement.userId)
          .where('idempotency_key', '=', entitlement.idempotencyKey)
          .executeTakeFirstOrThrow();
        return { entitlement: toEntitlement(existing), outcome: 'existing' };
      });
    },

    async getEntitlement(id) {
      const row = await db.selectFrom('entitlements').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toEntitlement(row) : null;
    },

    async revokeEntitlement(id: string, revocation: EntitlementRevocation) {
      const row = await db
        .updateTable('entitlements')
        .set({ revoked_at: revocation.revokedAt, revoked_by: revocation.revokedBy, revoke_reason: revocation.reason })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (row) return toEntitlement(row);
      // Nothing updated: unknown, or already revoked (the first revocation stands).
      const current = await db.selectFrom('entitlements').selectAll().where('id', '=', id).executeTakeFirst();
      return current ? toEntitlement(current) : null;
    },

    listEntitlements: (userId) => entitlementsOf(userId),

    async listEntitlementsPage(userId, limit, after) {
      const rows = (await pageOf('entitlements', userId, limit, after)) as unknown as EntitlementRow[];
      return rows.map(toEntitlement);
    },

    entitlementsFor: entitlementsOf,

    async hitRateLimit(userId, action, limit, windowSeconds, now) {
      if (!Number.isInteger(windowSeconds) || windowSeconds <= 0) {
        throw new RangeError(`windowSeconds must be a positive whole number, got ${windowSeconds}`);
      }
      const windowMs = windowSeconds * 1000;
      const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
      // One statement: the row lock of the upsert serializes concurrent hits, on any number of replicas. The count
      // stops at the limit: a refused hit updates nothing (no row is returned), so a flood of refusals writes no
      // tuple. Capped at the int4 maximum, which the counter can then never pass.
      const int4Max = 2_147_483_647;
      const row = await db
        .insertInto('rate_limits')
        .values({ user_id: userId, action, window_start: windowStart, hits: 1 })
        .onConflict((oc) =>
          oc
            .columns(['user_id', 'action', 'window_start'])
            .doUpdateSet({ hits: sql<number>`rate_limits.hits + 1` })
            .where('rate_limits.hits', '<', Math.min(limit, int4Max)),
        )
        .returning('hits')
        .executeTakeFirst();
      if (row === undefined) return false;
      const { hits } = row;
      if (hits === 1) {
        // This hit opened a window: drop older windows. One window is kept as slack for replicas whose clocks lag
        // ours, so that we never delete the window they are still counting in. First this counter's own, then a
        // batch of other users' of the same action: users who never come back would otherwise leave theirs
        // forever. Every stale row was made by a window-opening hit, and each such hit removes up to a batch, so
        // the table stays near the number of active users. SKIP LOCKED: replicas sweeping at once never wait on
        // one another.
        const cutoff = new Date(windowStart.getTime() - windowMs);
        await db
          .deleteFrom('rate_limits')
          .where('user_id', '=', userId)
          .where('action', '=', action)
          .where('window_start', '<', cutoff)
          .execute();
        await sql`
          delete from rate_limits where ctid in (
            select ctid from rate_limits where action = ${action} and window_start < ${cutoff}
            limit ${STALE_WINDOWS_PER_SWEEP} for update skip locked)`.execute(db);
      }
      return hits <= limit;
    },

    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },

    close() {
      closing ??= onClose();
      return closing;
    },
  };
}

/**
 * One lock per user, held to the end of the transaction: binds and acquisitions of one user (on any replica) take
 * turns. Both take this same lock, so a bind never races an acquisition's check of the same user either.
 */
async function lockUser(trx: Kysely<Database>, userId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${userId}))`.execute(trx);
}

/** Every column but the key's ciphertext: listing the catalog reads no key and decrypts none. */
const CATALOG_COLUMNS = [
  'id',
  'title',
  'key_id',
  'iv',
  'rental_period_seconds',
  'rental_play_seconds',
  'offline_allowed',
  'created_at',
  'updated_at',
] as const;

function toCatalogEntry(row: Omit<ContentRow, 'content_key_ciphertext'>): CatalogEntry {
  return {
    id: row.id,
    title: row.title,
    keyId: row.key_id,
    iv: row.iv,
    rentalPeriodSeconds: row.rental_period_seconds,
    rentalPlaySeconds: row.rental_play_seconds,
    offlineAllowed: row.offline_allowed,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function insertBinding(db: Kysely<Database>, binding: NewBinding): Promise<BindingRow> {
  return db
    .insertInto('bindings')
    .values({
      id: binding.id,
      user_id: binding.userId,
      name: binding.name,
      cookie: binding.cookie,
      drm: binding.drm,
      status: 'PENDING',
      created_at: binding.createdAt,
      pending_expires_at: binding.pendingExpiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

function toBinding(row: BindingRow): BindingRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    cookie: row.cookie,
    drm: row.drm,
    status: row.status,
    deviceId: row.device_id,
    createdAt: row.created_at,
    boundAt: row.bound_at,
    revokedAt: row.revoked_at,
    pendingExpiresAt: row.pending_expires_at,
  };
}

function toEntitlement(row: EntitlementRow): EntitlementRecord {
  return {
    id: row.id,
    userId: row.user_id,
    contentId: row.content_id,
    kind: row.kind,
    bindingId: row.binding_id,
    idempotencyKey: row.idempotency_key,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    playSeconds: row.play_seconds,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    revokeReason: row.revoke_reason,
  };
}
