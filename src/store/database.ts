/**
 * The tables as Kysely sees them (snake_case, as stored). Only the store's own files import this; everything else
 * uses the camelCase records of types.ts.
 */
import type { ColumnType, Selectable } from 'kysely';
import type {
  BindingStatus,
  DrmSystem,
  EntitlementKind,
  EventType,
  WebhookAttemptError,
  WebhookDeliveryStatus,
} from '../domain/enums.js';
import type { EventData } from './types.js';

/** pg parses timestamptz into a Date; we always write Dates. */
type Timestamp = ColumnType<Date, Date, Date>;

export interface ContentsTable {
  id: string;
  title: string;
  key_id: string;
  /** `v1:<iv>:<tag>:<ciphertext>`, see content-key-cipher.ts. Never the CEK in clear. */
  content_key_ciphertext: string;
  iv: string | null;
  rental_period_seconds: number;
  rental_play_seconds: number;
  /** Whether licenses of this title may be persistent (offline play). */
  offline_allowed: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BindingsTable {
  id: string;
  user_id: string;
  name: string | null;
  cookie: string;
  drm: DrmSystem;
  status: BindingStatus;
  device_id: string | null;
  created_at: Timestamp;
  bound_at: Timestamp | null;
  revoked_at: Timestamp | null;
  pending_expires_at: Timestamp;
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  cooldown_waived: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface EntitlementsTable {
  id: string;
  user_id: string;
  content_id: string;
  kind: EntitlementKind;
  binding_id: string;
  idempotency_key: string;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  play_seconds: number | null;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  revoked_by: ColumnType<string | null, string | null | undefined, string | null>;
  revoke_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface RateLimitsTable {
  user_id: string;
  action: string;
  window_start: Timestamp;
  /** int4, so pg hands back a number (int8 would come back as a string). */
  hits: number;
}

/** Append-only: rows are inserted, never updated. */
export interface EventsTable {
  /** bigint identity: pg hands it back as a string. */
  id: ColumnType<string, never, never>;
  user_id: string;
  type: EventType;
  at: Timestamp;
  actor_id: string | null;
  actor_admin: boolean;
  binding_id: string | null;
  entitlement_id: string | null;
  content_id: string | null;
  /** jsonb: written as JSON text, read back parsed. */
  data: ColumnType<EventData, string, never>;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  event_types: EventType[];
  /** `v1:<iv>:<tag>:<ciphertext>` of the `whsec_…` secret (content-key-cipher.ts, context `webhook:<id>`). */
  secret_ciphertext: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The outbox: one row per (event, endpoint). */
export interface WebhookDeliveriesTable {
  /** `msg_<uuid>`: the webhook-id header. */
  id: string;
  endpoint_id: string;
  /** bigint: pg hands it back as a string. */
  event_id: string;
  event_type: EventType;
  /** The exact JSON text every attempt sends and signs. */
  body: string;
  status: WebhookDeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  lease_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  queued_at: Timestamp;
  created_at: Timestamp;
  delivered_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  number: number;
  started_at: Timestamp;
  finished_at: Timestamp;
  status_code: number | null;
  error_kind: WebhookAttemptError | null;
  duration_ms: number;
  response_snippet: string | null;
}

export interface Database {
  contents: ContentsTable;
  bindings: BindingsTable;
  entitlements: EntitlementsTable;
  rate_limits: RateLimitsTable;
  events: EventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

export type ContentRow = Selectable<ContentsTable>;
export type BindingRow = Selectable<BindingsTable>;
export type EntitlementRow = Selectable<EntitlementsTable>;
export type EventRow = Selectable<EventsTable>;
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
