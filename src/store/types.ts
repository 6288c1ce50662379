/**
 * The contract between the services and persistence. One implementation (`createStore`, PostgreSQL through
 * Kysely over a `pg.Pool`) serves both the embedded PGlite default and a real server. Rows are plain objects;
 * dates are `Date`s; the content key is returned decrypted and only to the services that request tokens.
 */
import type {
  BindingStatus,
  DrmSystem,
  EntitlementKind,
  EventType,
  WebhookAttemptError,
  WebhookDeliveryStatus,
} from '../domain/enums.js';
import type { ChangeListener } from './change-feed.js';

export type { ChangeListener, StoreChange } from './change-feed.js';

export type {
  BindingStatus,
  DrmSystem,
  EntitlementKind,
  EventType,
  WebhookAttemptError,
  WebhookDeliveryStatus,
} from '../domain/enums.js';

export interface ContentRecord {
  readonly id: string;
  readonly title: string;
  readonly keyId: string;
  /** The CEK in clear; encrypted at rest (AES-256-GCM). */
  readonly contentKey: string;
  readonly iv: string | null;
  readonly rentalPeriodSeconds: number;
  readonly rentalPlaySeconds: number;
  /** The title's policy allows persistent (offline) licenses. */
  readonly offlineAllowed: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type ContentInput = Omit<ContentRecord, 'createdAt' | 'updatedAt' | 'offlineAllowed'> & {
  /** Omitted: false (streaming only). */
  readonly offlineAllowed?: boolean;
};

/** A catalog row without its key: what lists and per-item lookups read, so that they never decrypt a key. */
export type CatalogEntry = Omit<ContentRecord, 'contentKey'>;

/** One action of a rate-limit reservation (Store.reserveRateLimits): `want` hits of a window allowing `limit`. */
export interface RateLimitAsk {
  readonly action: string;
  readonly limit: number;
  readonly want: number;
}

/** Where a newest-first page starts: after the row with this (createdAt, id). */
export interface TimeKeyset {
  readonly createdAt: Date;
  readonly id: string;
}

export interface BindingRecord {
  readonly id: string;
  readonly userId: string;
  readonly name: string | null;
  readonly cookie: string;
  readonly drm: DrmSystem;
  readonly status: BindingStatus;
  readonly deviceId: string | null;
  readonly createdAt: Date;
  readonly boundAt: Date | null;
  readonly revokedAt: Date | null;
  /** A PENDING binding that is not bound by then expires. */
  readonly pendingExpiresAt: Date;
  /** When the last license token was issued for it; null if none was. */
  readonly lastUsedAt: Date | null;
  /** Support removed it with the swap cool-down waived: it does not count towards the cool-down. */
  readonly cooldownWaived: boolean;
}

export interface NewBinding {
  readonly id: string;
  readonly userId: string;
  readonly name: string | null;
  readonly cookie: string;
  readonly drm: DrmSystem;
  readonly createdAt: Date;
  readonly pendingExpiresAt: Date;
}

export interface EntitlementRecord {
  readonly id: string;
  readonly userId: string;
  readonly contentId: string;
  readonly kind: EntitlementKind;
  readonly bindingId: string;
  readonly idempotencyKey: string;
  readonly createdAt: Date;
  /** End of the rental window; null for a purchase. */
  readonly expiresAt: Date | null;
  /** How long a rental may play once started, fixed when it was rented; null for a purchase. */
  readonly playSeconds: number | null;
  /** Set once an admin revoked it (refund, chargeback): no new token is issued for it. Null while in force. */
  readonly revokedAt: Date | null;
  /** The admin (token subject) who revoked it; never shown to the user. */
  readonly revokedBy: string | null;
  readonly revokeReason: string | null;
}

export type NewEntitlement = Omit<EntitlementRecord, 'revokedAt' | 'revokedBy' | 'revokeReason'>;

export interface EntitlementRevocation {
  readonly revokedAt: Date;
  readonly revokedBy: string;
  readonly reason: string;
}

/** Who made a change: the user, or an admin (support) acting for them. */
export interface Actor {
  readonly id: string;
  readonly admin: boolean;
}

/**
 * The details an event carries, by type. Never a content key, a token or a license URL: only what support needs to
 * answer "what happened", and what may be shown to the user.
 */
export interface EventData {
  readonly deviceId?: string;
  readonly drm?: DrmSystem;
  readonly offline?: boolean;
  readonly reason?: string;
  readonly name?: string | null;
  readonly cooldownWaived?: boolean;
}

export interface EventRecord {
  /** Increasing in the order events were written; breaks ties between events of one instant. */
  readonly id: string;
  readonly userId: string;
  readonly type: EventType;
  readonly at: Date;
  /** Null when the service itself made the change (a pending binding expired). */
  readonly actor: Actor | null;
  readonly bindingId: string | null;
  readonly entitlementId: string | null;
  readonly contentId: string | null;
  readonly data: EventData;
}

/** Whose events a page lists: a user's, one binding's or one entitlement's. */
export type EventFilter =
  { readonly userId: string } | { readonly bindingId: string } | { readonly entitlementId: string };

/** A binding removal: by its owner, or by an admin who may waive the swap cool-down, with a reason. */
export interface BindingRevocation {
  readonly actor: Actor;
  readonly reason?: string;
  /** Admins: the removed binding stops counting towards the swap cool-down (also when it was removed before). */
  readonly waiveCooldown?: boolean;
}

export interface TokenIssued {
  readonly userId: string;
  readonly bindingId: string;
  readonly entitlementId: string;
  readonly contentId: string;
  readonly drm: DrmSystem;
  readonly offline: boolean;
  readonly at: Date;
}

export interface CreateEntitlementResult {
  readonly entitlement: EntitlementRecord;
  readonly outcome: 'created' | 'held' | 'existing';
}

export interface WebhookEndpointRecord {
  readonly id: string;
  readonly url: string;
  readonly eventTypes: readonly EventType[];
  readonly enabled: boolean;
  /** The admin who registered it. */
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewWebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly eventTypes: readonly EventType[];
  /** `whsec_…` in clear; stored encrypted, never returned by a read. */
  readonly secret: string;
  readonly createdBy: string;
  readonly createdAt: Date;
}

export interface WebhookEndpointChange {
  readonly url?: string;
  readonly eventTypes?: readonly EventType[];
  readonly enabled?: boolean;
}

export interface WebhookDeliveryRecord {
  /** `msg_<uuid>`: the webhook-id header, the same on every attempt and replay. */
  readonly id: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: EventType;
  readonly status: WebhookDeliveryStatus;
  /** Attempts made so far (also the number of the last one). */
  readonly attempts: number;
  /** When the next attempt is due (PENDING), or when the current one's lease ends (SENDING). */
  readonly nextAttemptAt: Date;
  readonly queuedAt: Date;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
  /** What went wrong last (an HTTP status or an error kind), short and without the receiver's body. */
  readonly lastError: string | null;
}

export interface WebhookAttemptRecord {
  readonly deliveryId: string;
  readonly number: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** The receiver's HTTP status; null when it gave none (timeout, connection refused). */
  readonly statusCode: number | null;
  readonly errorKind: WebhookAttemptError | null;
  readonly durationMs: number;
  /** At most a short, redacted start of the receiver's answer. */
  readonly responseSnippet: string | null;
}

/** A delivery a worker holds the lease of, with what it needs to send it. */
export interface ClaimedWebhookDelivery {
  readonly id: string;
  /** The number of this attempt (1 for the first). */
  readonly attempt: number;
  readonly url: string;
  /** `whsec_…`, decrypted. */
  readonly secret: string;
  readonly body: string;
  readonly queuedAt: Date;
}

/** What an attempt ends the delivery with: DELIVERED, PENDING again at `nextAttemptAt`, or FAILED. */
export interface WebhookAttemptOutcome {
  readonly attempt: Omit<WebhookAttemptRecord, 'deliveryId' | 'number'>;
  readonly status: 'DELIVERED' | 'PENDING' | 'FAILED';
  readonly nextAttemptAt?: Date;
  readonly lastError: string | null;
}

export interface WebhookDeliveryFilter {
  readonly endpointId: string;
  readonly status?: WebhookDeliveryStatus;
}

/** createEntitlementOnBinding: as createEntitlement, or `unbound` (nothing written) with the binding as stored. */
export type CreateEntitlementOnBindingResult =
  | (CreateEntitlementResult & { readonly binding: BindingRecord })
  | {
      readonly outcome: 'unbound';
      /** Null when there is no such binding; otherwise it is another user's, or not BOUND. */
      readonly binding: BindingRecord | null;
    };

export interface Store {
  upsertContent(content: ContentInput, now: Date): Promise<ContentRecord>;
  getContent(id: string): Promise<ContentRecord | null>;
  /** Up to `limit` catalog entries ordered by id, after `afterId` when given (a keyset page on the primary key). */
  listContentsPage(limit: number, afterId: string | null): Promise<CatalogEntry[]>;
  /** The catalog entries with these ids, in no particular order; unknown ids are left out. No key is decrypted. */
  contentsByIds(ids: readonly string[]): Promise<CatalogEntry[]>;

  /**
   * Inserts a PENDING binding. With `admit`, the user's bindings are locked and passed to it first, inside one
   * transaction: a policy check there (device limits) holds even when the same user binds from two replicas at
   * once. With `coolingSince`, `admit` gets only the bindings that can hold a device slot: PENDING and BOUND ones,
   * and bound ones revoked after it whose cool-down was not waived. `admit` throws to refuse; no binding is inserted then, and the refusal is recorded as a
   * DEVICE_LIMIT_REFUSED event (with the error's message as reason) in the same transaction, which commits it, before
   * the error is rethrown. Otherwise the binding and its BINDING_STARTED event are written together.
   */
  createBinding(
    binding: NewBinding,
    admit?: (current: readonly BindingRecord[]) => void,
    coolingSince?: Date,
  ): Promise<BindingRecord>;
  /**
   * The same check as createBinding's `admit`, under the same lock, with nothing to insert: a refusal is recorded as
   * a DEVICE_LIMIT_REFUSED event and rethrown. For the check made before ExpressPlay is asked for a dummy token.
   */
  admitBinding(
    userId: string,
    drm: DrmSystem,
    at: Date,
    admit: (current: readonly BindingRecord[]) => void,
    coolingSince?: Date,
  ): Promise<void>;
  getBinding(id: string): Promise<BindingRecord | null>;
  /** Up to `limit` of the user's bindings, newest first (createdAt desc, id desc), after `after` when given. */
  listBindingsPage(userId: string, limit: number, after: TimeKeyset | null): Promise<BindingRecord[]>;
  /**
   * PENDING -> BOUND, only if still PENDING, with a BINDING_BOUND event then (none when nothing changed), and the
   * store's listeners told of the change; returns the row as it is afterwards (null if unknown).
   */
  markBound(id: string, deviceId: string, boundAt: Date): Promise<BindingRecord | null>;
  /**
   * PENDING|BOUND -> REVOKED with a BINDING_REVOKED event; by the owner unless `by` says otherwise. With
   * `waiveCooldown`, the binding stops counting towards the swap cool-down; for one already REVOKED that is a
   * COOLDOWN_WAIVED event. Returns the row as it is afterwards (null if unknown).
   */
  revokeBinding(id: string, revokedAt: Date, by?: BindingRevocation): Promise<BindingRecord | null>;
  /**
   * PENDING -> EXPIRED for every pending binding of the user whose pendingExpiresAt <= now, one event each; the
   * store's listeners are told of each.
   */
  expirePendingBindings(userId: string, now: Date): Promise<void>;
  /** Sets a binding's name, with a BINDING_RENAMED event; returns the row as it is afterwards (null if unknown). */
  renameBinding(id: string, name: string | null, actor: Actor, at: Date): Promise<BindingRecord | null>;
  /** A license token was issued: the binding's lastUsedAt and a TOKEN_ISSUED event, together. */
  recordTokenIssued(issued: TokenIssued): Promise<void>;
  /**
   * Up to `limit` events of a user, binding or entitlement, newest first (at desc, id desc), after `after` (its
   * createdAt is the event's `at`; its id a decimal event id).
   */
  listEventsPage(filter: EventFilter, limit: number, after: TimeKeyset | null): Promise<EventRecord[]>;

  /**
   * Records a purchase or rental unless the user already has one, deciding under a per-user lock inside one
   * transaction, so that concurrent calls on any number of replicas sell nothing twice:
   * - `held`: the user already holds an entitlement of this kind to this content (a purchase, or a rental still
   *   running at `entitlement.createdAt`), not revoked; that one is returned and nothing is inserted;
   * - `existing`: (userId, idempotencyKey) was used before; its row is returned, whatever it was for;
   * - `created`: nothing stood in the way; the new row is inserted and returned, with its PURCHASED or RENTED event.
   * The database also refuses a second PURCHASE of one content by one user outright (a unique index), revoked
   * purchases apart.
   */
  createEntitlement(entitlement: NewEntitlement): Promise<CreateEntitlementResult>;
  /**
   * createEntitlement, atomically with a check that `entitlement.bindingId` is the user's and BOUND as stored: a
   * purchase or rental is never recorded on a binding revoked meanwhile, on any replica. When it is not, nothing is
   * written and the outcome is `unbound`. A purchase takes one statement and no per-user lock (the unique index on
   * the title settles concurrent ones: the later answers `held` or `existing`); a rental, the lock's transaction.
   */
  createEntitlementOnBinding(entitlement: NewEntitlement): Promise<CreateEntitlementOnBindingResult>;
  getEntitlement(id: string): Promise<EntitlementRecord | null>;
  /**
   * Revokes an entitlement unless it already is: the first revocation (its time, admin and reason) is kept, with an
   * ENTITLEMENT_REVOKED event by the admin (none when it was already revoked). Returns
   * the row as it is afterwards (null if unknown).
   */
  revokeEntitlement(id: string, revocation: EntitlementRevocation): Promise<EntitlementRecord | null>;
  /** Up to `limit` of the user's entitlements, newest first (createdAt desc, id desc), after `after` when given. */
  listEntitlementsPage(userId: string, limit: number, after: TimeKeyset | null): Promise<EntitlementRecord[]>;
  /** The user's entitlements to one content, newest first. */
  entitlementsFor(userId: string, contentId: string): Promise<EntitlementRecord[]>;

  /**
   * Fixed-window rate limits kept in the database so that they hold across replicas, for a process that spends hits
   * locally (policy/rate-limiter.ts): counts hits of (userId, action) in the window that contains `now`, for one or
   * more of the user's actions at once (an operation and the ExpressPlay call it makes). A refused hit is not counted
   * and writes nothing, so a count never passes its `limit`; each action has one window length, and stale windows
   * are swept per action. For each ask, takes `want` hits if they fit under its `limit`, else one if it fits, else
   * none (and writes nothing); returns how many each took, in the asks' order. One round trip however many actions,
   * unless an ask near its limit falls back to one hit.
   */
  reserveRateLimits(userId: string, asks: readonly RateLimitAsk[], windowSeconds: number, now: Date): Promise<number[]>;

  /**
   * Hears of committed changes to bindings and titles, made by this process or (on a PostgreSQL server) by any
   * replica, so that in-process caches can drop what changed; `reset` means anything may have. Returns the
   * unsubscribe function.
   */
  onChange(listener: ChangeListener): () => void;
  /** True while every replica's changes reach onChange; a cache must serve nothing while it is false. */
  changesLive(): boolean;

  /** Registers an endpoint (enabled); its secret is stored encrypted. */
  createWebhookEndpoint(endpoint: NewWebhookEndpoint): Promise<WebhookEndpointRecord>;
  getWebhookEndpoint(id: string): Promise<WebhookEndpointRecord | null>;
  /** Up to `limit` endpoints, newest first (createdAt desc, id desc), after `after` when given. */
  listWebhookEndpointsPage(limit: number, after: TimeKeyset | null): Promise<WebhookEndpointRecord[]>;
  /** Changes an endpoint's URL, event types or enabled flag; the row afterwards, or null if unknown. */
  updateWebhookEndpoint(id: string, change: WebhookEndpointChange, at: Date): Promise<WebhookEndpointRecord | null>;
  /** Up to `limit` deliveries of an endpoint (of one status), newest first (createdAt desc, id desc). */
  listWebhookDeliveriesPage(
    filter: WebhookDeliveryFilter,
    limit: number,
    after: TimeKeyset | null,
  ): Promise<WebhookDeliveryRecord[]>;
  getWebhookDelivery(id: string): Promise<WebhookDeliveryRecord | null>;
  /** The attempts of these deliveries, in delivery and attempt order. */
  webhookAttemptsOf(deliveryIds: readonly string[]): Promise<WebhookAttemptRecord[]>;
  /**
   * Queues a DELIVERED or FAILED delivery again, due at `at`, with a new retry window and the same id. Null if
   * unknown; the row unchanged when it is PENDING or SENDING (already on its way).
   */
  replayWebhookDelivery(id: string, at: Date): Promise<WebhookDeliveryRecord | null>;
  /**
   * Claims up to `limit` deliveries due at `now` (PENDING, or SENDING with a lease that ended) of enabled endpoints,
   * in one short transaction with `for update skip locked`: each is set SENDING with a lease to `leaseUntil` and its
   * attempt count incremented, so two workers never claim the same attempt.
   */
  claimWebhookDeliveries(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedWebhookDelivery[]>;
  /**
   * Records an attempt and ends it as `outcome` says, if this worker still holds it (the delivery is SENDING with
   * this attempt number); returns whether it did. The attempt row is kept either way.
   */
  recordWebhookAttempt(deliveryId: string, attempt: number, outcome: WebhookAttemptOutcome): Promise<boolean>;
  /** Called after a transaction that queued deliveries commits, in this process; returns the unsubscribe. */
  onWebhooksQueued(listener: () => void): () => void;

  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
