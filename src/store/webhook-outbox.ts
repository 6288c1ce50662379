/**
 * The store's webhook tables: endpoints (secrets encrypted like content keys), the outbox of deliveries that
 * writeEvent fills (pg-store.ts), and their attempts. The workers' claim is one statement, `for update skip locked`:
 * replicas polling at once each take other rows and never wait on one another.
 */
import { sql, type Kysely } from 'kysely';
import type { ContentKeyCipher } from './content-key-cipher.js';
import type { Database, WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from './database.js';
import type {
  ClaimedWebhookDelivery,
  Store,
  WebhookAttemptRecord,
  WebhookDeliveryRecord,
  WebhookEndpointRecord,
} from './types.js';

type WebhookOutbox = Pick<
  Store,
  | 'createWebhookEndpoint'
  | 'getWebhookEndpoint'
  | 'listWebhookEndpointsPage'
  | 'updateWebhookEndpoint'
  | 'listWebhookDeliveriesPage'
  | 'getWebhookDelivery'
  | 'webhookAttemptsOf'
  | 'replayWebhookDelivery'
  | 'claimWebhookDeliveries'
  | 'recordWebhookAttempt'
>;

/** Authenticated with the secret's ciphertext, so a ciphertext copied onto another endpoint does not decrypt. */
export const secretContext = (endpointId: string): string => `webhook:${endpointId}`;

/** Every delivery column but the body: pages and look-ups never need it. */
const DELIVERY_COLUMNS = [
  'id',
  'endpoint_id',
  'event_id',
  'event_type',
  'status',
  'attempts',
  'next_attempt_at',
  'queued_at',
  'created_at',
  'delivered_at',
  'last_error',
] as const;

const ENDPOINT_COLUMNS = ['id', 'url', 'event_types', 'enabled', 'created_by', 'created_at', 'updated_at'] as const;

export function createWebhookOutbox({
  db,
  cipher,
  onQueued,
}: {
  db: Kysely<Database>;
  cipher: ContentKeyCipher;
  /** Deliveries became due (a replay): this process's worker sends them at once rather than at its next poll. */
  onQueued: () => void;
}): WebhookOutbox {
  return {
    async createWebhookEndpoint(endpoint) {
      const row = await db
        .insertInto('webhook_endpoints')
        .values({
          id: endpoint.id,
          url: endpoint.url,
          event_types: [...endpoint.eventTypes],
          secret_ciphertext: cipher.encrypt(endpoint.secret, secretContext(endpoint.id)),
          created_by: endpoint.createdBy,
          created_at: endpoint.createdAt,
          updated_at: endpoint.createdAt,
        })
        .returning(ENDPOINT_COLUMNS)
        .executeTakeFirstOrThrow();
      return toEndpoint(row);
    },

    async getWebhookEndpoint(id) {
      const row = await db
        .selectFrom('webhook_endpoints')
        .select(ENDPOINT_COLUMNS)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toEndpoint(row) : null;
    },

    async listWebhookEndpointsPage(limit, after) {
      let query = db.selectFrom('webhook_endpoints').select(ENDPOINT_COLUMNS);
      if (after !== null) {
        query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.createdAt, after.id)));
      }
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toEndpoint);
    },

    async updateWebhookEndpoint(id, change, at) {
      const row = await db
        .updateTable('webhook_endpoints')
        .set({
          ...(change.url !== undefined ? { url: change.url } : {}),
          ...(change.eventTypes !== undefined ? { event_types: [...change.eventTypes] } : {}),
          ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
          updated_at: at,
        })
        .where('id', '=', id)
        .returning(ENDPOINT_COLUMNS)
        .executeTakeFirst();
      return row ? toEndpoint(row) : null;
    },

    async listWebhookDeliveriesPage(filter, limit, after) {
      let query = db
        .selectFrom('webhook_deliveries')
        .select(DELIVERY_COLUMNS)
        .where('endpoint_id', '=', filter.endpointId);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (after !== null) {
        query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.createdAt, after.id)));
      }
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toDelivery);
    },

    async getWebhookDelivery(id) {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select(DELIVERY_COLUMNS)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toDelivery(row) : null;
    },

    async webhookAttemptsOf(deliveryIds) {
      if (deliveryIds.length === 0) return [];
      const rows = await db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('delivery_id', 'in', [...deliveryIds])
        .orderBy('delivery_id')
        .orderBy('number')
        .execute();
      return rows.map(toAttempt);
    },

    async replayWebhookDelivery(id, at) {
      const row = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'PENDING', next_attempt_at: at, queued_at: at, lease_until: null })
        .where('id', '=', id)
        .where('status', 'in', ['DELIVERED', 'FAILED'])
        .returning(DELIVERY_COLUMNS)
        .executeTakeFirst();
      if (row) {
        onQueued();
        return toDelivery(row);
      }
      const current = await db
        .selectFrom('webhook_deliveries')
        .select(DELIVERY_COLUMNS)
        .where('id', '=', id)
        .executeTakeFirst();
      return current ? toDelivery(current) : null;
    },

    async claimWebhookDeliveries(now, leaseUntil, limit) {
      // One statement, so one short transaction: the rows are locked, skipped by any other worker's claim meanwhile,
      // and updated. next_attempt_at moves to the lease's end, where the due index finds the row again if this
      // worker dies before it records the attempt. Deliveries of a disabled endpoint wait until it is enabled again.
      const claimed = await sql<{ id: string; attempts: number; endpoint_id: string; body: string; queued_at: Date }>`
        with due as (
          select d.id from webhook_deliveries d
          where d.status in ('PENDING', 'SENDING') and d.next_attempt_at <= ${now}
            and exists (select 1 from webhook_endpoints e where e.id = d.endpoint_id and e.enabled)
          order by d.next_attempt_at
          limit ${limit}
          for update of d skip locked
        )
        update webhook_deliveries d
        set status = 'SENDING', attempts = d.attempts + 1, lease_until = ${leaseUntil}, next_attempt_at = ${leaseUntil}
        from due where d.id = due.id
        returning d.id, d.attempts, d.endpoint_id, d.body, d.queued_at`.execute(db);
      if (claimed.rows.length === 0) return [];
      const endpoints = await db
        .selectFrom('webhook_endpoints')
        .select(['id', 'url', 'secret_ciphertext'])
        .where('id', 'in', [...new Set(claimed.rows.map((r) => r.endpoint_id))])
        .execute();
      const byId = new Map(endpoints.map((e) => [e.id, e]));
      return claimed.rows.map((row): ClaimedWebhookDelivery => {
        const endpoint = byId.get(row.endpoint_id)!;
        return {
          id: row.id,
          attempt: row.attempts,
          url: endpoint.url,
          secret: cipher.decrypt(endpoint.secret_ciphertext, secretContext(endpoint.id)),
          body: row.body,
          queuedAt: row.queued_at,
        };
      });
    },

    async recordWebhookAttempt(deliveryId, attempt, outcome) {
      return db.transaction().execute(async (trx) => {
        const a = outcome.attempt;
        await trx
          .insertInto('webhook_attempts')
          .values({
            delivery_id: deliveryId,
            number: attempt,
            started_at: a.startedAt,
            finished_at: a.finishedAt,
            status_code: a.statusCode,
            error_kind: a.errorKind,
            duration_ms: a.durationMs,
            response_snippet: a.responseSnippet,
          })
          .onConflict((oc) => oc.columns(['delivery_id', 'number']).doNothing())
          .execute();
        // Only while this worker holds the delivery: a lease that ended and was claimed again has a higher attempt
        // number, and the later attempt decides.
        const updated = await trx
          .updateTable('webhook_deliveries')
          .set({
            status: outcome.status,
            lease_until: null,
            last_error: outcome.lastError,
            ...(outcome.status === 'DELIVERED' ? { delivered_at: a.finishedAt } : {}),
            ...(outcome.nextAttemptAt !== undefined ? { next_attempt_at: outcome.nextAttemptAt } : {}),
          })
          .where('id', '=', deliveryId)
          .where('attempts', '=', attempt)
          .where('status', '=', 'SENDING')
          .executeTakeFirst();
        return Number(updated.numUpdatedRows) > 0;
      });
    },
  };
}

function toEndpoint(row: Omit<WebhookEndpointRow, 'secret_ciphertext'>): WebhookEndpointRecord {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.event_types,
    enabled: row.enabled,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toDelivery(row: Omit<WebhookDeliveryRow, 'body' | 'lease_until'>): WebhookDeliveryRecord {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    queuedAt: row.queued_at,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    lastError: row.last_error,
  };
}

function toAttempt(row: WebhookAttemptRow): WebhookAttemptRecord {
  return {
    deliveryId: row.delivery_id,
    number: row.number,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    statusCode: row.status_code,
    errorKind: row.error_kind,
    durationMs: row.duration_ms,
    responseSnippet: row.response_snippet,
  };
}
