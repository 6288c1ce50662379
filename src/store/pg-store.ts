/**
 * The Store over Kysely. Every state change is one conditional statement, so that replicas racing on the same row
 * cannot both win: the WHERE clause, the unique constraint or the upsert decides, never a read followed by a write.
 * The exceptions, a binding admitted by a policy over the user's other bindings and a purchase or rental that must
 * not duplicate one the user holds, read and write under a per-user advisory lock.
 *
 * Each change writes its event (the user's history) in the same transaction: a change that rolls back leaves no
 * event, and an event is never written for a change that did not happen (a conditional update that matched nothing).
 */
import { sql, type Kysely } from 'kysely';
import type { ContentKeyCipher } from './content-key-cipher.js';
import type { BindingRow, ContentRow, Database, EntitlementRow, EventRow } from './database.js';
import type {
  Actor,
  BindingRecord,
  CatalogEntry,
  ContentInput,
  CreateEntitlementResult,
  ContentRecord,
  EntitlementRecord,
  EntitlementRevocation,
  EventData,
  EventRecord,
  EventType,
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
      const outcome = await db.transaction().execute(async (trx) => {
        if (admit) {
          const refusal = await admitUnderLock(trx, binding.userId, binding.drm, binding.createdAt, admit);
          // The refusal event commits with this transaction; the binding is not inserted.
          if (refusal !== undefined) return { refusal };
        }
        const row = await insertBinding(trx, binding);
        await writeEvent(trx, {
          userId: binding.userId,
          type: 'BINDING_STARTED',
          at: binding.createdAt,
          actor: { id: binding.userId, admin: false },
          bindingId: binding.id,
          data: { drm: binding.drm, ...(binding.name !== null ? { name: binding.name } : {}) },
        });
        return { binding: toBinding(row) };
      });
      if (outcome.refusal !== undefined) throw outcome.refusal;
      return outcome.binding;
    },

    async admitBinding(userId, drm, at, admit) {
      const refusal = await db.transaction().execute((trx) => admitUnderLock(trx, userId, drm, at, admit));
      if (refusal !== undefined) throw refusal;
    },

    getBinding: bindingById,

    async listBindingsPage(userId, limit, after) {
      return (await pageOf('bindings', userId, limit, after)).map(toBinding);
    },

    async markBound(id, deviceId, boundAt) {
      const row = await db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('bindings')
          .set({ status: 'BOUND', device_id: deviceId, bound_at: boundAt })
          .where('id', '=', id)
          .where('status', '=', 'PENDING')
          .returningAll()
          .executeTakeFirst();
        if (updated) {
          await writeEvent(trx, {
            userId: updated.user_id,
            type: 'BINDING_BOUND',
            at: boundAt,
            actor: { id: updated.user_id, admin: false },
            bindingId: id,
            data: { deviceId, drm: updated.drm },
          });
        }
        return updated;
      });
      // Nothing updated: unknown, or no longer PENDING (a concurrent bind won, or it expired or was revoked).
      return row ? toBinding(row) : bindingById(id);
    },

    async revokeBinding(id, revokedAt, by) {
      return db.transaction().execute(async (trx) => {
        // Locked: whether this is a removal or a waiver of an earlier one depends on the status read here.
        const row = await trx.selectFrom('bindings').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
        if (!row) return null;
        const actor = by?.actor ?? { id: row.user_id, admin: false };
        const waive = by?.waiveCooldown === true;
        const reason = by?.reason !== undefined ? { reason: by.reason } : {};
        const event = { userId: row.user_id, at: revokedAt, actor, bindingId: id };
        if (row.status === 'PENDING' || row.status === 'BOUND') {
          const revoked = await trx
            .updateTable('bindings')
            .set({ status: 'REVOKED', revoked_at: revokedAt, cooldown_waived: waive })
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirstOrThrow();
          await writeEvent(trx, { ...event, type: 'BINDING_REVOKED', data: { ...reason, cooldownWaived: waive } });
          return toBinding(revoked);
        }
        if (row.status === 'REVOKED' && waive && !row.cooldown_waived) {
          const waived = await trx
            .updateTable('bindings')
            .set({ cooldown_waived: true })
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirstOrThrow();
          await writeEvent(trx, { ...event, type: 'COOLDOWN_WAIVED', data: reason });
          return toBinding(waived);
        }
        return toBinding(row);
      });
    },

    async expirePendingBindings(userId, now) {
      await db.transaction().execute(async (trx) => {
        const expired = await trx
          .updateTable('bindings')
          .set({ status: 'EXPIRED' })
          .where('user_id', '=', userId)
          .where('status', '=', 'PENDING')
          .where('pending_expires_at', '<=', now)
          .returning(['id', 'drm'])
          .execute();
        // One event per binding, at the time it was found due; the service itself is the actor.
        for (const { id, drm } of expired) {
          await writeEvent(trx, {
            userId,
            type: 'BINDING_EXPIRED',
            at: now,
            actor: null,
            bindingId: id,
            data: { drm },
          });
        }
      });
    },

    async renameBinding(id, name, actor, at) {
      const row = await db.transaction().execute(async (trx) => {
        const renamed = await trx
          .updateTable('bindings')
          .set({ name })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (renamed) {
          await writeEvent(trx, {
            userId: renamed.user_id,
            type: 'BINDING_RENAMED',
            at,
            actor,
            bindingId: id,
            data: { name },
          });
        }
        return renamed;
      });
      return row ? toBinding(row) : null;
    },

    async recordTokenIssued(issued) {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('bindings').set({ last_used_at: issued.at }).where('id', '=', issued.bindingId).execute();
        await writeEvent(trx, {
          userId: issued.userId,
          type: 'TOKEN_ISSUED',
          at: issued.at,
          actor: { id: issued.userId, admin: false },
          bindingId: issued.bindingId,
          entitlementId: issued.entitlementId,
          contentId: issued.contentId,
          data: { drm: issued.drm, offline: issued.offline },
        });
      });
    },

    async listEventsPage(filter, limit, after) {
      let query = db.selectFrom('events').selectAll();
      if ('userId' in filter) query = query.where('user_id', '=', filter.userId);
      else if ('bindingId' in filter) query = query.where('binding_id', '=', filter.bindingId);
      else query = query.where('entitlement_id', '=', filter.entitlementId);
      if (after !== null) {
        query = query.where((eb) => eb(eb.refTuple('at', 'id'), '<', eb.tuple(after.createdAt, after.id)));
      }
      const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toEvent);
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
        if (inserted) {
          await writeEvent(trx, {
            userId: inserted.user_id,
            type: inserted.kind === 'PURCHASE' ? 'PURCHASED' : 'RENTED',
            at: inserted.created_at,
            actor: { id: inserted.user_id, admin: false },
            bindingId: inserted.binding_id,
            entitlementId: inserted.id,
            contentId: inserted.content_id,
          });
          return { entitlement: toEntitlement(inserted), outcome: 'created' };
        }
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
      const row = await db.transaction().execute(async (trx) => {
        const revoked = await trx
          .updateTable('entitlements')
          .set({ revoked_at: revocation.revokedAt, revoked_by: revocation.revokedBy, revoke_reason: revocation.reason })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .returningAll()
          .executeTakeFirst();
        if (revoked) {
          await writeEvent(trx, {
            userId: revoked.user_id,
            type: 'ENTITLEMENT_REVOKED',
            at: revocation.revokedAt,
            actor: { id: revocation.revokedBy, admin: true },
            bindingId: revoked.binding_id,
            entitlementId: revoked.id,
            contentId: revoked.content_id,
            data: { reason: revocation.reason },
          });
        }
        return revoked;
      });
      if (row) return toEntitlement(row);
      // Nothing updated: unknown, or already revoked (the first revocation stands).
      const current = await db.selectFrom('entitlements').selectAll().where('id', '=', id).executeTakeFirst();
      return current ? toEntitlement(current) : null;
    },

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

/** Runs `admit` over the user's bindings under the per-user lock; a refusal is recorded and returned, not thrown. */
async function admitUnderLock(
  trx: Kysely<Database>,
  userId: string,
  drm: BindingRecord['drm'],
  at: Date,
  admit: (current: readonly BindingRecord[]) => void,
): Promise<Error | undefined> {
  await lockUser(trx, userId);
  const current = await trx.selectFrom('bindings').selectAll().where('user_id', '=', userId).execute();
  try {
    admit(current.map(toBinding));
    return undefined;
  } catch (error) {
    // `admit` refuses by throwing an error (DEVICE_LIMIT_REACHED), which is what gets thrown to the caller.
    const refusal = error instanceof Error ? error : new Error('refused');
    // The refusal's message is what the user was told (the limit, or when a slot frees): support sees the same.
    const reason = refusal.message;
    await writeEvent(trx, {
      userId,
      type: 'DEVICE_LIMIT_REFUSED',
      at,
      actor: { id: userId, admin: false },
      data: { drm, reason },
    });
    return refusal;
  }
}

interface NewEvent {
  readonly userId: string;
  readonly type: EventType;
  readonly at: Date;
  readonly actor: Actor | null;
  readonly bindingId?: string;
  readonly entitlementId?: string;
  readonly contentId?: string;
  readonly data?: EventData;
}

/**
 * Appends one event, in the caller's transaction. Anything that must happen with an event (a webhook delivery in a
 * transactional outbox) belongs here, in the same transaction.
 */
async function writeEvent(trx: Kysely<Database>, event: NewEvent): Promise<void> {
  await trx
    .insertInto('events')
    .values({
      user_id: event.userId,
      type: event.type,
      at: event.at,
      actor_id: event.actor?.id ?? null,
      actor_admin: event.actor?.admin ?? false,
      binding_id: event.bindingId ?? null,
      entitlement_id: event.entitlementId ?? null,
      content_id: event.contentId ?? null,
      data: JSON.stringify(event.data ?? {}),
    })
    .execute();
}

function toEvent(row: EventRow): EventRecord {
  return {
    id: row.id,
    userId: row.user_id,
    type: row.type,
    at: row.at,
    actor: row.actor_id === null ? null : { id: row.actor_id, admin: row.actor_admin },
    bindingId: row.binding_id,
    entitlementId: row.entitlement_id,
    contentId: row.content_id,
    data: row.data,
  };
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
    lastUsedAt: row.last_used_at,
    cooldownWaived: row.cooldown_waived,
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
