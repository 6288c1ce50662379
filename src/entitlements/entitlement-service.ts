/**
 * Purchases and rentals. The entitlement is recorded before ExpressPlay is asked for a token, under the
 * client's idempotency key: a retried or concurrent mutation finds the same row, and an ExpressPlay fault loses
 * nothing (the retry returns the stored entitlement with a fresh license URL).
 */
import { randomUUID } from 'node:crypto';
import { requireAdmin, type Viewer } from '../auth/viewer.js';
import type { RequestBindings } from '../bindings/binding-service.js';
import { MAX_TOKEN_TTL_SECONDS } from '../datasources/expressplay/config.js';
import type { ExpressPlayClient, TokenRights } from '../datasources/expressplay/types.js';
import {
  refusesDeviceBinding,
  refusesDeviceId,
  refusesExpirationTime,
  refusesPersistentLicense,
} from '../datasources/expressplay/wire.js';
import type { DrmSystem } from '../domain/enums.js';
import {
  BadUserInputError,
  DeviceNotBoundError,
  DrmNotBoundError,
  DrmWithoutDeviceBindingError,
  EntitlementRevokedError,
  NotEntitledError,
  NotFoundError,
  OfflineNotAllowedError,
  RentalExpiredError,
} from '../errors/app-error.js';
import { fromUpstream } from '../errors/from-upstream.js';
import type { RateLimiter } from '../policy/rate-limiter.js';
import type { RequestUpstream } from '../policy/upstream-budget.js';
import type {
  BindingRecord,
  ContentRecord,
  EntitlementKind,
  EntitlementRecord,
  Store,
  TimeKeyset,
} from '../store/types.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import { isPlainText } from '../validation/text.js';
import { isExpired, rentalWindowEnd } from './rental-window.js';

export interface AcquireInput {
  readonly contentId: string;
  readonly bindingId: string;
  /** The DRM to issue for; unset or null: the binding's own, the only one its device id holds for. */
  readonly drm?: DrmSystem | null;
  readonly idempotencyKey: string;
  /** Ask for a persistent (offline) license; only where the title's policy allows it. */
  readonly offline?: boolean;
}

export interface RevokeEntitlementInput {
  readonly id: string;
  readonly reason: string;
}

export interface LicensedEntitlement {
  readonly entitlement: EntitlementRecord;
  readonly licenseUrl: string;
}

export interface EntitlementServiceDeps {
  readonly store: Store;
  readonly catalog: CatalogService;
  readonly rateLimiter: RateLimiter;
  readonly now: () => Date;
  /** A license token's lifetime (TOKEN_TTL), apart from the rights it carries. */
  readonly tokenTtlSeconds: number;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,128}$/;

/** A rental window closer than this to its end when ExpressPlay refuses its token's expiry counts as ended. */
const WINDOW_END_MARGIN_MS = 60_000;

/** The Drm enum's names, as clients send them. */
const DRM_NAMES: Record<DrmSystem, string> = { fp: 'FAIRPLAY', wv: 'WIDEVINE', pr: 'PLAYREADY' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An offline license only where the title's policy allows it; checked before anything is recorded or asked. */
function requireOfflineAllowed(content: ContentRecord, offline: boolean | undefined): void {
  if (offline === true && !content.offlineAllowed) {
    throw new OfflineNotAllowedError(
      'offline',
      `Content "${content.id}" may not be downloaded for offline play. Ask with offline: false to stream it.`,
    );
  }
}

/** What one HTTP request brings to purchases and rentals (graphql/common/context.ts makes it once per request). */
export interface EntitlementRequestScope {
  /** The request's ExpressPlay, which charges the viewer's budget of upstream calls (policy/upstream-budget.ts). */
  readonly upstream: RequestUpstream;
  /** The request's bindings, brought up to date at most once per request. */
  readonly bindings: RequestBindings;
}

/** Long-lived: holds what every request shares. Each request works through its own `forRequest` scope. */
export class EntitlementService {
  constructor(private readonly deps: EntitlementServiceDeps) {}

  forRequest(scope: EntitlementRequestScope): RequestEntitlements {
    return new RequestEntitlements(this.deps, scope);
  }
}

/** Purchases, rentals and license tokens for one HTTP request (every operation of a batch shares it). */
export class RequestEntitlements {
  constructor(
    private readonly deps: EntitlementServiceDeps,
    private readonly scope: EntitlementRequestScope,
  ) {}

  purchase(viewer: Viewer, input: AcquireInput): Promise<LicensedEntitlement> {
    return this.acquire(viewer, input, 'PURCHASE');
  }

  rent(viewer: Viewer, input: AcquireInput): Promise<LicensedEntitlement> {
    return this.acquire(viewer, input, 'RENTAL');
  }

  /** The operation's ExpressPlay: reserves its token request in the request's budget before any other work. */
  private tokenClient(): ExpressPlayClient {
    return this.scope.upstream.forTokenOperation();
  }

  private async acquire(viewer: Viewer, input: AcquireInput, kind: EntitlementKind): Promise<LicensedEntitlement> {
    const expressplay = this.tokenClient();
    if (!IDEMPOTENCY_KEY.test(input.idempotencyKey)) {
      throw new BadUserInputError(
        'idempotencyKey',
        'idempotencyKey must be 8-128 printable ASCII characters without spaces; use a fresh UUID per purchase.',
      );
    }
    const { store, now } = this.deps;
    // The token request's hit of the user's ExpressPlay budget is reserved with this one when either needs the
    // database: an occasional buyer's purchase costs one reservation statement, not two.
    await this.deps.rateLimiter.check(viewer.userId, kind === 'PURCHASE' ? 'purchase' : 'rent', {
      alongside: 'upstream',
    });
    const content = await this.deps.catalog.get(input.contentId);
    // Before anything is recorded: a streaming-only title is not sold as a download.
    requireOfflineAllowed(content, input.offline);
    // A malformed id never reaches the store: NOT_FOUND, as for any binding that is not the viewer's.
    if (!UUID.test(input.bindingId)) await this.scope.bindings.requireBound(viewer, input.bindingId);

    // Nothing is sold twice: buying owned content, or renting a title whose rental is still running, returns what
    // the user already has (a double tap with a fresh key is the usual cause). A lapsed rental can be rented again.
    // The store decides atomically with the check that the binding is the viewer's and BOUND as stored (never as a
    // cache remembers it), so that concurrent requests on any replica agree: a purchase in one statement, the title's
    // unique index settling a race; a rental under a per-user lock.
    const at = now();
    const record = () =>
      store.createEntitlementOnBinding({
        id: randomUUID(),
        userId: viewer.userId,
        contentId: content.id,
        kind,
        bindingId: input.bindingId.toLowerCase(),
        idempotencyKey: input.idempotencyKey,
        createdAt: at,
        expiresAt: kind === 'RENTAL' ? rentalWindowEnd(content, at) : null,
        playSeconds: kind === 'RENTAL' ? content.rentalPlaySeconds : null,
      });
    let recorded = await record();
    if (recorded.outcome === 'unbound') {
      // Not BOUND as stored: a PENDING binding may have been played since. Brought up to date with ExpressPlay, it
      // is BOUND now or this throws what the client must do (NOT_FOUND, DEVICE_NOT_BOUND with the reason).
      await this.scope.bindings.requireBound(viewer, input.bindingId);
      recorded = await record();
      if (recorded.outcome === 'unbound') {
        throw new DeviceNotBoundError('This device binding is no longer bound. Bind the device again with bindDevice.');
      }
    }
    const { entitlement, outcome, binding } = recorded;
    const offline = input.offline === true;
    if (outcome === 'held') {
      return {
        entitlement,
        licenseUrl: await this.token(expressplay, content, entitlement, binding, input.drm, offline),
      };
    }
    if (outcome === 'existing' && (entitlement.contentId !== content.id || entitlement.kind !== kind)) {
      throw new BadUserInputError(
        'idempotencyKey',
        'This idempotencyKey was already used for a different purchase or rental. Use a new key for a new request.',
      );
    }
    // A retry with the key of a revoked entitlement: revoked means no new license, whatever the key. A new
    // purchase (a new key) is possible: a revoked entitlement is not held.
    if (entitlement.revokedAt !== null) throw new EntitlementRevokedError(content.id, entitlement.revokedAt);
    if (isExpired(entitlement, now())) throw new RentalExpiredError(content.id, entitlement.expiresAt!);
    return {
      entitlement,
      licenseUrl: await this.token(expressplay, content, entitlement, binding, input.drm, offline),
    };
  }

  /** A new license URL for content the viewer already owns or has a running rental of. */
  async licenseToken(
    viewer: Viewer,
    input: { contentId: string; bindingId: string; drm?: DrmSystem | null; offline?: boolean },
  ): Promise<LicensedEntitlement> {
    const expressplay = this.tokenClient();
    const content = await this.deps.catalog.get(input.contentId);
    requireOfflineAllowed(content, input.offline);
    const binding = await this.scope.bindings.requireBound(viewer, input.bindingId);
    const entitlements = await this.deps.store.entitlementsFor(viewer.userId, content.id);
    const at = this.deps.now();
    const inForce = entitlements.filter((e) => e.revokedAt === null);
    const purchase = inForce.find((e) => e.kind === 'PURCHASE');
    const rental = inForce.find((e) => e.kind === 'RENTAL' && !isExpired(e, at));
    const entitlement = purchase ?? rental;
    if (!entitlement) {
      // What would have given a license but for its revocation says so, before a lapsed rental or nothing.
      const revoked = entitlements.find((e) => e.revokedAt !== null && (e.kind === 'PURCHASE' || !isExpired(e, at)));
      if (revoked) throw new EntitlementRevokedError(content.id, revoked.revokedAt!);
      const lapsed = entitlements.find((e) => e.kind === 'RENTAL');
      if (lapsed) throw new RentalExpiredError(content.id, lapsed.expiresAt!);
      throw new NotEntitledError(content.id);
    }
    const offline = input.offline === true;
    return {
      entitlement,
      licenseUrl: await this.token(expressplay, content, entitlement, binding, input.drm, offline),
    };
  }

  /**
   * Admins: revokes an entitlement (refund, chargeback) with a reason the user sees. No new token is issued for it
   * from then on; a license already on a device lasts until its token's or its own end (see the README).
   * Revoking a revoked entitlement returns it unchanged: the first revocation stands.
   */
  async revoke(viewer: Viewer, input: RevokeEntitlementInput): Promise<EntitlementRecord> {
    requireAdmin(viewer, 'revoke entitlements');
    const reason = input.reason.trim();
    // Plain text by the same rule as every label: a lone surrogate cannot be stored as UTF-8.
    if (reason.length === 0 || reason.length > 500 || !isPlainText(reason)) {
      throw new BadUserInputError('reason', 'reason must be 1-500 characters of plain text (it is shown to the user).');
    }
    const found = UUID.test(input.id)
      ? await this.deps.store.revokeEntitlement(input.id, {
          revokedAt: this.deps.now(),
          revokedBy: viewer.userId,
          reason,
        })
      : null;
    if (found === null) throw new NotFoundError('entitlement', input.id);
    return found;
  }

  /** A rental whose window has ended, on the service's clock. */
  isExpired(entitlement: EntitlementRecord): boolean {
    return isExpired(entitlement, this.deps.now());
  }

  /** Admins: a page of any user's entitlements, newest first. */
  ofUser(viewer: Viewer, userId: string, limit: number, after: TimeKeyset | null): Promise<EntitlementRecord[]> {
    requireAdmin(viewer, "read another user's entitlements");
    return this.deps.store.listEntitlementsPage(userId, limit, after);
  }

  /** A page of the viewer's entitlements, newest first. */
  page(viewer: Viewer, limit: number, after: TimeKeyset | null): Promise<EntitlementRecord[]> {
    return this.deps.store.listEntitlementsPage(viewer.userId, limit, after);
  }

  private async token(
    expressplay: ExpressPlayClient,
    content: ContentRecord,
    entitlement: EntitlementRecord,
    binding: BindingRecord,
    requested: DrmSystem | null | undefined,
    offline = false,
  ): Promise<string> {
    // Each DRM on a device reports its own device id, and a binding holds the one its DRM reported: a token for
    // another DRM restricted to it could never be redeemed. Refused here, after the entitlement was recorded.
    const drm = requested ?? binding.drm;
    if (binding.drm !== drm) throw new DrmNotBoundError(DRM_NAMES[binding.drm], DRM_NAMES[drm]);
    if (drm === 'fp' && content.iv === null) {
      throw new BadUserInputError(
        'drm',
        `Content "${content.id}" has no FairPlay IV in the catalog; ask for WIDEVINE or PLAYREADY, or have an admin set its iv.`,
      );
    }
    const rights: TokenRights =
      entitlement.kind === 'PURCHASE'
        ? { type: 'BuyToOwn' }
        : {
            type: 'Rental',
            periodEndTime: entitlement.expiresAt!,
            // The terms rented, not the catalog's current ones.
            playDurationSeconds: entitlement.playSeconds ?? content.rentalPlaySeconds,
          };
    // The token only has to last until the device asks for its license (licenseToken mints another whenever one
    // is needed), so it expires TOKEN_TTL from now, or at the rental window's end when that comes sooner; the
    // rights keep the entitlement's terms, whatever their length.
    const at = this.deps.now();
    const ttlEnd = new Date(at.getTime() + this.deps.tokenTtlSeconds * 1000);
    let expirationTime = rights.type === 'Rental' && rights.periodEndTime < ttlEnd ? rights.periodEndTime : ttlEnd;
    // Widevine's token API takes no rental period end: the license's window is the token's expiry. An offline
    // rental must carry its window to the device, so its token lasts to the window's end (or as long as ExpressPlay
    // allows; licenseToken renews it). Nothing is lost for revocation: a persistent license plays to its end anyway.
    if (offline && drm === 'wv' && rights.type === 'Rental') {
      const longest = new Date(at.getTime() + MAX_TOKEN_TTL_SECONDS * 1000);
      expirationTime = rights.periodEndTime < longest ? rights.periodEndTime : longest;
    }
    const request = {
      drm,
      contentKey: content.contentKey,
      kid: content.keyId,
      ...(content.iv ? { iv: content.iv } : {}),
      rights,
      cookie: binding.cookie,
      deviceId: binding.deviceId!,
      expirationTime,
      ...(offline ? { persistent: true } : {}),
    };
    let licenseUrl: string;
    try {
      ({ licenseUrl } = await expressplay.requestToken(request));
    } catch (error) {
      if (refusesPersistentLicense(error, request)) {
        throw new OfflineNotAllowedError(
          'drm',
          `ExpressPlay issues no offline (persistent) ${DRM_NAMES[drm]} license. Ask with offline: false to stream, ` +
            'or for WIDEVINE or PLAYREADY with a binding made for that DRM; your purchase or rental is kept: retry ' +
            'with the same idempotencyKey.',
        );
      }
      if (refusesDeviceBinding(error)) {
        const others = (['pr', 'wv', 'fp'] as const).filter((d) => d !== drm).map((d) => DRM_NAMES[d]);
        throw new DrmWithoutDeviceBindingError(DRM_NAMES[drm], error.upstreamCode, others);
      }
      // A rental whose window ends as the token is asked for: its end, in whole seconds, is not in the future on
      // ExpressPlay's clock, which may run a little ahead of ours. Nothing could be played in what is left.
      if (
        refusesExpirationTime(error) &&
        rights.type === 'Rental' &&
        rights.periodEndTime.getTime() - this.deps.now().getTime() < WINDOW_END_MARGIN_MS
      ) {
        throw new RentalExpiredError(content.id, entitlement.expiresAt!);
      }
      if (refusesDeviceId(error)) {
        throw new DeviceNotBoundError(
          `ExpressPlay does not accept this binding's device id for ${DRM_NAMES[drm]}. Bind the device again ` +
            `(bindDevice with drm: ${DRM_NAMES[drm]}); your purchase or rental is kept.`,
        );
      }
      throw fromUpstream(error, 'license token request');
    }
    // After ExpressPlay answered: the binding's last use and the user's history. Which binding, DRM and whether
    // offline; never the key or the URL.
    await this.deps.store.recordTokenIssued({
      userId: binding.userId,
      bindingId: binding.id,
      entitlementId: entitlement.id,
      contentId: content.id,
      drm,
      offline,
      at: this.deps.now(),
    });
    return licenseUrl;
  }
}
