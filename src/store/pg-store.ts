/**
 * The Store over Kysely. Every state change is one conditional statement, so that replicas racing on the same row
 * cannot both win: the WHERE clause, the unique constraint or the upsert decides, never a read followed by a write.
 * The exceptions, a binding admitted by a policy over the user's other bindings and a rental that must not duplicate
 * a running one (the time decides, which no index expresses), read and write under a per-user advisory lock; a
 * purchase is one statement, the title's unique index deciding (purchaseOnBinding).
 *
 * Each change writes its event (the user's history) in the same transaction: a change that rolls back leaves no
 * event, and an event is never written for a change that did not happen (a conditional update that matched nothing).
 */
import { sql, type Kysely } from 'kysely';
import type { ChangeFeed, StoreChange } from './change-feed.js';
import type { ContentKeyCipher } from './content-key-cipher.js';
import type { BindingRow, ContentRow, Database, EntitlementRow, EventRow } from './database.js';
import { webhookBodyAround } from './webhook-payload.js';
import { createWebhookOutbox } from './webhook-outbox.js';
import type {
  Actor,
  BindingRecord,
  CatalogEntry,
  ContentInput,
  CreateEntitlementOnBindingResult,
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
  /** Tells in-process caches, here and on other replicas, of committed changes; closed with the store. */
  readonly feed: ChangeFeed;
  /** Releases what the store holds (pool, PGlite); called once by close(). */
  readonly onClose: () => Promise<void>;
}

export function createPgStore({ db, cipher, feed, onClose }: PgStoreOptions): Store {
  let closing: Promise<void> | undefined;
  const queuedListeners = new Set<() => void>();
  /** Tells this process's listeners (its delivery worker) that committed changes queued webhook deliveries. */
  const announceQueued = (): void => {
    for (const listener of queuedListeners) listener();
  };

  /**
   * A transaction; once it has committed, the listeners hear of the webhook deliveries its events queued (the worker
   * of this process sends them at once rather than at its next poll).
   */
  const transact = async <T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> => {
    let queued = false;
    const result = await db.transaction().execute((trx) => {
      queuedBy.set(trx, () => (queued = true));
      return fn(trx);
    });
    if (queued) announceQueued();
    return result;
  };

  /**
   * Runs a change that caches must hear of: announced to other replicas in its transaction, and to this process once
   * it committed (and only when `changed` says the change happened).
   */
  const announced = async <T>(
    change: (trx: Kysely<Database>) => Promise<T>,
    changed: (result: T) => StoreChange | readonly StoreChange[] | null,
  ): Promise<T> => {
    const changes = (result: T): readonly StoreChange[] => {
      const what = changed(result);
      return what === null ? [] : 'kind' in what ? [what] : what;
    };
    const result = await transact(async (trx) => {
      const value = await change(trx);
      for (const what of changes(value)) await feed.announce(trx as unknown as Kysely<unknown>, what);
      return value;
    });
    for (const what of changes(result)) feed.emit(what);
    return result;
  };

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

  /**
   * Takes `want` hits of each ask's (userId, action) window if they fit under its `limit`, else one if that fits, else
   * none: the numbers taken, in the asks' order. One statement for all of them, the sweep of stale windows included;
   * a second only for asks near their limit whose whole slice did not fit. See Store.reserveRateLimits.
   */
  const reserveRateLimits: Store['reserveRateLimits'] = async (userId, asks, windowSeconds, now) => {
    if (!Number.isInteger(windowSeconds) || windowSeconds <= 0) {
      throw new RangeError(`windowSeconds must be a positive whole number, got ${windowSeconds}`);
    }
    if (new Set(asks.map((a) => a.action)).size !== asks.length) {
      throw new RangeError('each action may be asked for once per reservation');
    }
    const windowMs = windowSeconds * 1000;
    const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
    // One window is kept as slack for replicas whose clocks lag ours, so that we never delete the window they are
    // still counting in.
    const cutoff = new Date(windowStart.getTime() - windowMs);
    // Capped at the int4 maximum, which the counter can then never pass.
    const int4Max = 2_147_483_647;
    const sized = asks.map(({ action, limit, want }) => {
      const cap = Math.min(limit, int4Max);
      return { action, cap, n: Math.max(1, Math.min(Math.floor(want), cap)) };
    });
    const taken = new Map<string, number>();
    const take = async (batch: readonly { action: string; cap: number; n: number }[]): Promise<void> => {
      if (batch.length === 0) return;
      const ask = sql.join(batch.map(({ action, n }) => sql`(${action}::text, ${n}::int)`));
      // One statement, whatever the number of actions: the row lock of each upsert serializes concurrent hits, on
      // any number of replicas. The count stops at the limit: an ask that does not fit updates nothing (its row
      // is not returned), so a flood of refusals writes no tuple. An update may start from a count up to cap − n,
      // never `hits + n` compared with the cap, which could overflow int4 near its maximum.
      // A row returned with exactly the hits asked was inserted by this statement: its window opened. Opening one
      // drops older windows, this counter's own, then a batch of other users' of the same action: users who never
      // come back would otherwise leave theirs forever. Every stale row was made by a window-opening hit, and each
      // such hit removes up to a batch, so the table stays near the number of active users. SKIP LOCKED: replicas
      // sweeping at once never wait on one another. Deletes in the same statement see its snapshot, not the
      // upsert's rows, which are never stale anyway.
      const { rows } = await sql<{ action: string; hits: number }>`
        with ask (action, n) as (values ${ask}),
        taken as (
          insert into rate_limits as r (user_id, action, window_start, hits)
          select ${userId}, action, ${windowStart}::timestamptz, n from ask
          on conflict (user_id, action, window_start) do update set hits = r.hits + excluded.hits
          where r.hits <= (case excluded.action ${sql.join(
            batch.map(({ action, n, cap }) => sql`when ${action}::text then ${cap - n}::int`),
            sql` `,
          )} end)
          returning r.action, r.hits
        ),
        opened as (select taken.action from taken join ask on ask.action = taken.action and taken.hits = ask.n),
        own as (
          delete from rate_limits
          where user_id = ${userId} and action in (select action from opened) and window_start < ${cutoff}::timestamptz
        ),
        others as (
          delete from rate_limits where ctid in (
            select ctid from rate_limits
            where action in (select action from opened) and window_start < ${cutoff}::timestamptz
              and user_id <> ${userId}
            limit ${STALE_WINDOWS_PER_SWEEP * batch.length} for update skip locked)
        )
        select action, hits from taken`.execute(db);
      for (const row of rows) taken.set(row.action, batch.find((b) => b.action === row.action)!.n);
    };
    await take(sized);
    // Near the end of the window, a whole slice may not fit where one hit still does.
    await take(sized.filter((a) => a.n > 1 && !taken.has(a.action)).map((a) => ({ ...a, n: 1 })));
    return sized.map((a) => taken.get(a.action) ?? 0);
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
      const row = await announced(
        (trx) =>
          trx
            .insertInto('contents')
            .values({ id: content.id, created_at: now, ...values })
            .onConflict((oc) => oc.column('id').doUpdateSet(values))
            .returningAll()
            .executeTakeFirstOrThrow(),
        (changed) => ({ kind: 'content', id: changed.id }),
      );
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

    async createBinding(binding: NewBinding, admit?: (current: readonly BindingRecord[]) => void, coolingSince?: Date) {
      const outcome = await transact(async (trx) => {
        if (admit) {
          const refusal = await admitUnderLock(
            trx,
            binding.userId,
            binding.drm,
            binding.createdAt,
            admit,
            coolingSince,
          );
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

    async admitBinding(userId, drm, at, admit, coolingSince) {
      const refusal = await transact((trx) => admitUnderLock(trx, userId, drm, at, admit, coolingSince));
      if (refusal !== undefined) throw refusal;
    },

    getBinding: bindingById,

    async listBindingsPage(userId, limit, after) {
      return (await pageOf('bindings', userId, limit, after)).map(toBinding);
    },

    async markBound(id, deviceId, boundAt) {
      // Announced: every process drops its copy of the PENDING row at once.
      const row = await announced(
        async (trx) => {
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
        },
        (updated) => (updated === undefined ? null : { kind: 'binding', id }),
      );
      // Nothing updated: unknown, or no longer PENDING (a concurrent bind won, or it expired or was revoked).
      return row ? toBinding(row) : bindingById(id);
    },

    async revokeBinding(id, revokedAt, by) {
      return announced(
        async (trx) => {
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
        },
        (binding) => (binding === null ? null : { kind: 'binding', id: binding.id }),
      );
    },

    async expirePendingBindings(userId, now) {
      // Announced, though a copy of a PENDING row past its deadline is never served (the ids are at hand, and a
      // notification only when something expired costs nothing on the usual call, which expires nothing).
      await announced(
        async (trx) => {
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
          return expired;
        },
        (expired) => expired.map(({ id }) => ({ kind: 'binding', id }) as const),
      );
    },

    async renameBinding(id, name, actor, at) {
      const row = await announced(
        async (trx) => {
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
        },
        (renamed) => (renamed === undefined ? null : { kind: 'binding', id }),
      );
      return row ? toBinding(row) : null;
    },

    async recordTokenIssued(issued) {
      // One statement, so atomic without a transaction's BEGIN and COMMIT: it runs after every license token.
      const queued = await writeEvent(
        db,
        {
          userId: issued.userId,
          type: 'TOKEN_ISSUED',
          at: issued.at,
          actor: { id: issued.userId, admin: false },
          bindingId: issued.bindingId,
          entitlementId: issued.entitlementId,
          contentId: issued.contentId,
          data: { drm: issued.drm, offline: issued.offline },
        },
        { lastUsedOf: issued.bindingId },
      );
      if (queued) announceQueued();
      // Only lastUsedAt changed: this process forgets its copy, and another replica's shows the old time until its
      // cache entry lives out its short lifetime. Not worth a notification on every license token.
      feed.emit({ kind: 'binding', id: issued.bindingId });
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
      return transact(async (trx) => {
        // The per-user lock (lockUser): whether the user holds a running rental depends on the time, which no
        // unique index can express, so concurrent acquisitions of one user (on any replica) take turns. The lock is
        // released at commit, after the row is visible: the next holder's first statement sees it.
        await lockUser(trx, entitlement.userId);
        return acquireUnderLock(trx, entitlement);
      });
    },

    async createEntitlementOnBinding(entitlement: NewEntitlement): Promise<CreateEntitlementOnBindingResult> {
      if (entitlement.kind === 'PURCHASE') {
        const { result, queued } = await purchaseOnBinding(db, entitlement);
        if (queued) announceQueued();
        return result;
      }
      // A rental: one transaction, the binding as stored (never a cache's copy), the user's holdings, the new row and
      // its event. FOR SHARE: a revocation of the binding waits for this to commit, or this for it.
      return transact(async (trx) => {
        // The per-user lock (lockUser's) taken by the same statement that reads the binding: one round trip fewer
        // on every rental. No binding, no lock: nothing is written then.
        const row = await trx
          .selectFrom('bindings')
          .selectAll()
          .select(sql<null>`pg_advisory_xact_lock(hashtext(${entitlement.userId}))`.as('user_locked'))
          .where('id', '=', entitlement.bindingId)
          .forShare()
          .executeTakeFirst();
        const binding = row ? toBinding(row) : null;
        if (binding === null || binding.userId !== entitlement.userId || binding.status !== 'BOUND') {
          return { outcome: 'unbound', binding } as const;
        }
        return { ...(await acquireUnderLock(trx, entitlement)), binding };
      });
    },

    async getEntitlement(id) {
      const row = await db.selectFrom('entitlements').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toEntitlement(row) : null;
    },

    async revokeEntitlement(id: string, revocation: EntitlementRevocation) {
      const row = await transact(async (trx) => {
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

    ...createWebhookOutbox({
      db,
      cipher,
      onQueued: announceQueued,
    }),

    onWebhooksQueued(listener) {
      queuedListeners.add(listener);
      return () => queuedListeners.delete(listener);
    },

    reserveRateLimits,

    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },

    onChange: (listener) => feed.subscribe(listener),
    changesLive: () => feed.live(),

    close() {
      closing ??= feed.close().then(onClose);
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

/**
 * Records a purchase or rental unless the user holds one (Store.createEntitlement), in the caller's transaction, under
 * the per-user lock it took.
 */
async function acquireUnderLock(trx: Kysely<Database>, entitlement: NewEntitlement): Promise<CreateEntitlementResult> {
  const e = entitlement;
  // Everything the event and its webhook body say is known before the insert (the row's id is made here), so the
  // held check, the insert, its event and its deliveries are one statement: one round trip on every acquisition. It
  // runs after the statement that took the per-user lock, so its snapshot sees what the lock's previous holder
  // committed.
  const { rows } = await sql<EntitlementRow & { outcome: 'held' | 'created'; queued: number }>`
    with held as (
      select * from entitlements
      where user_id = ${e.userId} and content_id = ${e.contentId} and kind = ${e.kind}
        and (expires_at is null or expires_at > ${e.createdAt}::timestamptz)
        -- A revoked entitlement is held no more: a new purchase or rental (a new key) makes a new one.
        and revoked_at is null
      order by created_at desc, id desc
      limit 1
    ), ins as (
      insert into entitlements
        (id, user_id, content_id, kind, binding_id, idempotency_key, created_at, expires_at, play_seconds)
      select ${e.id}, ${e.userId}, ${e.contentId}, ${e.kind}, ${e.bindingId}, ${e.idempotencyKey},
        ${e.createdAt}::timestamptz, ${e.expiresAt}::timestamptz, ${e.playSeconds}::integer
      where not exists (select from held)
      -- No target: besides the key's, a purchase made meanwhile without this lock (purchaseOnBinding) takes the
      -- title's unique index; either way an answer, not an error.
      on conflict do nothing
      returning *
    ), ${eventAndDeliveriesOf(e)}
    select 'held' as outcome, 0 as queued, held.* from held
    union all
    select 'created', (select count(*)::int from queued), ins.* from ins`.execute(trx);
  const row = rows[0];
  if (row?.outcome === 'held') {
    return { entitlement: toEntitlement(row), outcome: heldOutcome(row, e) };
  }
  if (row?.outcome === 'created') {
    if (Number(row.queued) > 0) queuedBy.get(trx)?.();
    return { entitlement: toEntitlement(row), outcome: 'created' };
  }
  // Nothing held and nothing inserted: the key was used before (for another title or kind), or a purchase of the
  // title was committed meanwhile. A new statement, so a new snapshot, sees either.
  const now = await heldOrKeyed(trx, e);
  if (now === null) throw new Error('an entitlement conflicting with this one was revoked while it was being recorded');
  return now;
}

/**
 * The CTEs `event` (the PURCHASED or RENTED event of the row that the CTE `ins` inserted, if any) and `queued` (its
 * webhook deliveries): writeEvent's outbox, in the statement of the insert.
 */
function eventAndDeliveriesOf(e: NewEntitlement) {
  const type: EventType = e.kind === 'PURCHASE' ? 'PURCHASED' : 'RENTED';
  const [before, after] = webhookBodyAround({
    userId: e.userId,
    type,
    at: e.createdAt,
    actor: { id: e.userId, admin: false },
    bindingId: e.bindingId,
    entitlementId: e.id,
    contentId: e.contentId,
    data: {},
  });
  return sql`event as (
      insert into events (user_id, type, at, actor_id, actor_admin, binding_id, entitlement_id, content_id, data)
      select user_id, ${type}, created_at, user_id, false, binding_id, id, content_id, '{}'::jsonb from ins
      returning id
    ), queued as (
      insert into webhook_deliveries
        (id, endpoint_id, event_id, event_type, body, status, next_attempt_at, queued_at, created_at)
      select 'msg_' || gen_random_uuid(), webhook_endpoints.id, event.id, ${type},
        ${before} || event.id || ${after}, 'PENDING',
        ${e.createdAt}::timestamptz, ${e.createdAt}::timestamptz, ${e.createdAt}::timestamptz
      from event, webhook_endpoints
      where webhook_endpoints.enabled and ${type} = any(webhook_endpoints.event_types)
      returning 1
    )`;
}

/**
 * What stopped an insert that did nothing, read afresh: the purchase of the title the user holds (`held`, or
 * `existing` when it has this key), else the row of the key (`existing`, whatever it was for). Null when neither is
 * there any more (the conflicting row was revoked in between).
 */
async function heldOrKeyed(db: Kysely<Database>, e: NewEntitlement): Promise<CreateEntitlementResult | null> {
  const held = sql`(content_id = ${e.contentId} and kind = ${e.kind} and revoked_at is null
    and (expires_at is null or expires_at > ${e.createdAt}::timestamptz))`;
  const { rows } = await sql<EntitlementRow>`
    select * from entitlements where user_id = ${e.userId} and (idempotency_key = ${e.idempotencyKey} or ${held})
    order by ${held} desc, created_at desc, id desc
    limit 1`.execute(db);
  const row = rows[0];
  if (row === undefined) return null;
  // A row that is not held has this key (the filter); a held one with another key is what stopped a new sale.
  return { entitlement: toEntitlement(row), outcome: heldOutcome(row, e) };
}

/**
 * What a row that stopped a new entitlement means: the request's own, sent again (`existing`: it has this key), or
 * one the user already holds (`held`).
 */
function heldOutcome(row: EntitlementRow, e: NewEntitlement): 'existing' | 'held' {
  return row.idempotency_key === e.idempotencyKey ? 'existing' : 'held';
}

/** The bindings table's columns, renamed `b_<column>` so that a binding fits in one row beside an entitlement. */
const BINDING_COLUMNS = [
  'id',
  'user_id',
  'name',
  'cookie',
  'drm',
  'status',
  'device_id',
  'created_at',
  'bound_at',
  'revoked_at',
  'pending_expires_at',
  'last_used_at',
  'cooldown_waived',
] as const satisfies readonly (keyof BindingRow)[];
const BINDING_AS_B = sql.raw(BINDING_COLUMNS.map((column) => `binding.${column} as b_${column}`).join(', '));

type PurchaseAnswer = Partial<EntitlementRow> & {
  readonly outcome: 'held' | 'existing' | 'created' | null;
  readonly queued: number;
} & { readonly [K in (typeof BINDING_COLUMNS)[number] as `b_${K}`]: BindingRow[K] | null };

/** Tries before giving up when each answer of the statement is undone by a revocation before it can be read. */
const PURCHASE_TRIES = 3;

/**
 * A purchase on a binding (Store.createEntitlementOnBinding for kind PURCHASE) in one statement, autocommitted: no
 * BEGIN, no COMMIT, no per-user lock. Four round trips were one on every purchase; rentals keep the lock, since
 * whether a rental is running depends on the time, which no unique index can express.
 *
 * - The binding is read FOR SHARE: a revocation's UPDATE waits for this statement to commit (so its event comes
 *   later), or, if it came first, this waits for it and reads the row again, REVOKED (READ COMMITTED re-reads a row
 *   it had to wait for). The insert is made only from a row that is the user's and BOUND.
 * - Two purchases of one title at once (a double tap with two keys, on any replica), or one key twice at once: both
 *   see nothing held in their snapshot; the unique index `entitlements_one_purchase` or the key's makes the second
 *   wait for the first and then insert nothing (ON CONFLICT DO NOTHING without a target covers both). That one
 *   reads what stopped it afresh (heldOrKeyed): the answer is `held` or `existing`, never an error.
 *
 * Also says whether webhook deliveries were queued, for the caller's listeners.
 */
async function purchaseOnBinding(
  db: Kysely<Database>,
  e: NewEntitlement,
): Promise<{ result: CreateEntitlementOnBindingResult; queued: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const { rows } = await sql<PurchaseAnswer>`
      with binding as materialized (
        select * from bindings where id = ${e.bindingId} for share
      ), held as materialized (
        -- At most one: the unique index allows one purchase of a title that is not revoked.
        select * from entitlements
        where user_id = ${e.userId} and content_id = ${e.contentId} and kind = 'PURCHASE' and revoked_at is null
      ), keyed as materialized (
        select * from entitlements where user_id = ${e.userId} and idempotency_key = ${e.idempotencyKey}
      ), ins as (
        insert into entitlements
          (id, user_id, content_id, kind, binding_id, idempotency_key, created_at, expires_at, play_seconds)
        select ${e.id}, ${e.userId}, ${e.contentId}, 'PURCHASE', ${e.bindingId}, ${e.idempotencyKey},
          ${e.createdAt}::timestamptz, null, null
        from binding
        where binding.user_id = ${e.userId} and binding.status = 'BOUND'
          and not exists (select from held) and not exists (select from keyed)
        on conflict do nothing
        returning *
      ), ${eventAndDeliveriesOf({ ...e, kind: 'PURCHASE' })}
      select answer.*, (select count(*)::int from queued) as queued, ${BINDING_AS_B}
      from (select 1) as one
      left join binding on true
      left join lateral (
        select 1 as rank, 'held' as outcome, held.* from held
        union all select 2, 'existing', keyed.* from keyed
        union all select 3, 'created', ins.* from ins
        order by rank
        limit 1
      ) as answer on true`.execute(db);
    const row = rows[0];
    const binding = row.b_id === null ? null : toBinding(bindingOf(row));
    if (binding === null || binding.userId !== e.userId || binding.status !== 'BOUND') {
      return { result: { outcome: 'unbound', binding }, queued: false };
    }
    if (row.outcome === 'created') {
      return {
        result: { entitlement: toEntitlement(row as EntitlementRow), outcome: 'created', binding },
        queued: Number(row.queued) > 0,
      };
    }
    if (row.outcome !== null) {
      const held = row as EntitlementRow;
      return { result: { entitlement: toEntitlement(held), outcome: heldOutcome(held, e), binding }, queued: false };
    }
    // Nothing seen and nothing inserted: a purchase of the title or one with this key committed meanwhile.
    const now = await heldOrKeyed(db, e);
    if (now !== null) return { result: { ...now, binding }, queued: false };
    if (attempt === PURCHASE_TRIES) {
      throw new Error('an entitlement conflicting with this purchase was revoked each time it was being recorded');
    }
  }
}

function bindingOf(row: PurchaseAnswer): BindingRow {
  return Object.fromEntries(BINDING_COLUMNS.map((column) => [column, row[`b_${column}`]])) as unknown as BindingRow;
}

/** Runs `admit` over the user's bindings under the per-user lock; a refusal is recorded and returned, not thrown. */
async function admitUnderLock(
  trx: Kysely<Database>,
  userId: string,
  drm: BindingRecord['drm'],
  at: Date,
  admit: (current: readonly BindingRecord[]) => void,
  coolingSince?: Date,
): Promise<Error | undefined> {
  await lockUser(trx, userId);
  let query = trx.selectFrom('bindings').selectAll().where('user_id', '=', userId);
  if (coolingSince !== undefined) {
    // Only what can hold a slot, on migration 0009's partial indexes: not the user's whole history.
    query = query.where((eb) =>
      eb.or([
        eb('status', 'in', ['PENDING', 'BOUND']),
        eb.and([
          eb('status', '=', 'REVOKED'),
          eb('bound_at', 'is not', null),
          eb('cooldown_waived', '=', false),
          eb('revoked_at', '>', coolingSince),
        ]),
      ]),
    );
  }
  const current = await query.execute();
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

/** Set by transact() for each of its transactions: writeEvent says through it that it queued deliveries. */
const queuedBy = new WeakMap<Kysely<Database>, () => void>();

/**
 * Appends one event and queues its webhooks, in the caller's transaction: one delivery per enabled endpoint
 * subscribed to the event's type (the transactional outbox). A change that rolls back queues nothing; a committed
 * one cannot lose its deliveries.
 */
async function writeEvent(
  trx: Kysely<Database>,
  event: NewEvent,
  options: { readonly lastUsedOf?: string } = {},
): Promise<boolean> {
  // The body names the event's id, which the insert makes: it is sent as the text around that id, joined in SQL, so
  // that the event and its deliveries take one statement (one round trip per change, endpoints or none).
  const [before, after] = webhookBodyAround({
    userId: event.userId,
    type: event.type,
    at: event.at,
    actor: event.actor,
    bindingId: event.bindingId ?? null,
    entitlementId: event.entitlementId ?? null,
    contentId: event.contentId ?? null,
    data: event.data ?? {},
  });
  // Written as SQL text rather than built: it runs with every change and after every license token, and the query
  // builder's immutable nodes cost more CPU than the statement's round trip. A license token also stamps its
  // binding's last use, in the same statement: atomic without BEGIN and COMMIT. A data-modifying WITH runs whether
  // or not any endpoint is subscribed; with none, the last select adds nothing.
  const used =
    options.lastUsedOf === undefined
      ? sql``
      : sql`used as (update bindings set last_used_at = ${event.at}::timestamptz where id = ${options.lastUsedOf} returning id), `;
  const { numAffectedRows } = await sql`
    with ${used}event as (
      insert into events (user_id, type, at, actor_id, actor_admin, binding_id, entitlement_id, content_id, data)
      values (${event.userId}, ${event.type}, ${event.at}::timestamptz, ${event.actor?.id ?? null},
        ${event.actor?.admin ?? false}::boolean, ${event.bindingId ?? null}, ${event.entitlementId ?? null},
        ${event.contentId ?? null}, ${JSON.stringify(event.data ?? {})}::jsonb)
      returning id
    )
    insert into webhook_deliveries
      (id, endpoint_id, event_id, event_type, body, status, next_attempt_at, queued_at, created_at)
    select 'msg_' || gen_random_uuid(), webhook_endpoints.id, event.id, ${event.type},
      ${before} || event.id || ${after}, 'PENDING',
      ${event.at}::timestamptz, ${event.at}::timestamptz, ${event.at}::timestamptz
    from event, webhook_endpoints
    where webhook_endpoints.enabled and ${event.type} = any(webhook_endpoints.event_types)`.execute(trx);
  const any = Number(numAffectedRows ?? 0) > 0;
  if (any) queuedBy.get(trx)?.();
  return any;
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
