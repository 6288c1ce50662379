/**
 * The contract between the services and persistence. One implementation (`createStore`, PostgreSQL through
 * Kysely over a `pg.Pool`) serves both the embedded PGlite default and a real server. Rows are plain objects;
 * dates are `Date`s; the content key is returned decrypted and only to the services that request tokens.
 */
import type { BindingStatus, DrmSystem, EntitlementKind } from '../domain/enums.js';

export type { BindingStatus, DrmSystem, EntitlementKind } from '../domain/enums.js';

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

export interface CreateEntitlementResult {
  readonly entitlement: EntitlementRecord;
  readonly outcome: 'created' | 'held' | 'existing';
}

export interface Store {
  upsertContent(content: ContentInput, now: Date): Promise<ContentRecord>;
  getContent(id: string): Promise<ContentRecord | null>;
  listContents(): Promise<ContentRecord[]>;
  /** Up to `limit` catalog entries ordered by id, after `afterId` when given (a keyset page on the primary key). */
  listContentsPage(limit: number, afterId: string | null): Promise<CatalogEntry[]>;
  /** The catalog entries with these ids, in no particular order; unknown ids are left out. No key is decrypted. */
  contentsByIds(ids: readonly string[]): Promise<CatalogEntry[]>;

  /**
   * Inserts a PENDING binding. With `admit`, the user's bindings are locked and passed to it first, inside one
   * transaction: a policy check there (device limits) holds even when the same user binds from two replicas at
   * once. `admit` throws to refuse; nothing is inserted then.
   */
  createBinding(binding: NewBinding, admit?: (current: readonly BindingRecord[]) => void): Promise<BindingRecord>;
  getBinding(id: string): Promise<BindingRecord | null>;
  listBindings(userId: string): Promise<BindingRecord[]>;
  /** Up to `limit` of the user's bindings, newest first (createdAt desc, id desc), after `after` when given. */
  listBindingsPage(userId: string, limit: number, after: TimeKeyset | null): Promise<BindingRecord[]>;
  /** PENDING -> BOUND, only if still PENDING; returns the row as it is afterwards (null if unknown). */
  markBound(id: string, deviceId: string, boundAt: Date): Promise<BindingRecord | null>;
  /** PENDING|BOUND -> REVOKED; returns the row as it is afterwards (null if unknown). */
  revokeBinding(id: string, revokedAt: Date): Promise<BindingRecord | null>;
  /** PENDING -> EXPIRED for every pending binding of the user whose pendingExpiresAt <= now. */
  expirePendingBindings(userId: string, now: Date): Promise<void>;

  /**
   * Records a purchase or rental unless the user already has one, deciding under a per-user lock inside one
   * transaction, so that concurrent calls on any number of replicas sell nothing twice:
   * - `held`: the user already holds an entitlement of this kind to this content (a purchase, or a rental still
   *   running at `entitlement.createdAt`), not revoked; that one is returned and nothing is inserted;
   * - `existing`: (userId, idempotencyKey) was used before; its row is returned, whatever it was for;
   * - `created`: nothing stood in the way; the new row is inserted and returned.
   * The database also refuses a second PURCHASE of one content by one user outright (a unique index), revoked
   * purchases apart.
   */
  createEntitlement(entitlement: NewEntitlement): Promise<CreateEntitlementResult>;
  getEntitlement(id: string): Promise<EntitlementRecord | null>;
  /**
   * Revokes an entitlement unless it already is: the first revocation (its time, admin and reason) is kept. Returns
   * the row as it is afterwards (null if unknown).
   */
  revokeEntitlement(id: string, revocation: EntitlementRevocation): Promise<EntitlementRecord | null>;
  listEntitlements(userId: string): Promise<EntitlementRecord[]>;
  /** Up to `limit` of the user's entitlements, newest first (createdAt desc, id desc), after `after` when given. */
  listEntitlementsPage(userId: string, limit: number, after: TimeKeyset | null): Promise<EntitlementRecord[]>;
  /** The user's entitlements to one content, newest first. */
  entitlementsFor(userId: string, contentId: string): Promise<EntitlementRecord[]>;

  /**
   * Fixed-window rate limit kept in the database so that it holds across replicas: counts one hit for
   * (userId, action) in the window that contains `now` and says whether it is within `limit`. A refused hit is not
   * counted and writes nothing, so the count never passes `limit`. Each action has one window length: stale windows
   * are swept per action.
   */
  hitRateLimit(userId: string, action: string, limit: number, windowSeconds: number, now: Date): Promise<boolean>;

  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
