/**
 * Purchases and rentals. The entitlement is recorded before ExpressPlay is asked for a token, under the
 * client's idempotency key: a retried or concurrent mutation finds the same row, and an ExpressPlay fault loses
 * nothing (the retry returns the stored entitlement with a fresh license URL).
 */
import { randomUUID } from 'node:crypto';
import type { Viewer } from '../auth/viewer.js';
import type { BindingLoaders, BindingService } from '../bindings/binding-service.js';
import type { DrmSystem, ExpressPlayClient, TokenRights } from '../datasources/expressplay/types.js';
import { refusesDeviceBinding, refusesDeviceId, refusesExpirationTime } from '../datasources/expressplay/wire.js';
import {
  BadUserInputError,
  DeviceNotBoundError,
  DrmNotBoundError,
  DrmWithoutDeviceBindingError,
  NotEntitledError,
  RentalExpiredError,
} from '../errors/app-error.js';
import { fromUpstream } from '../errors/from-upstream.js';
import type { RateLimiter } from '../policy/rate-limiter.js';
import type { BindingRecord, ContentRecord, EntitlementKind, EntitlementRecord, Store, TimeKeyset } from '../store/types.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import { isExpired, rentalWindowEnd } from './rental-window.js';

export interface AcquireInput {
  readonly contentId: string;
  readonly bindingId: string;
  readonly drm: DrmSystem;
  readonly idempotencyKey: string;
}

export interface LicensedEntitlement {
  readonly entitlement: EntitlementRecord;
  readonly licenseUrl: string;
}

export interface EntitlementServiceDeps {
  readonly store: Store;
  readonly bindings: BindingService;
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

/**
 * What an operation brings to the service: its request's loaders and its own ExpressPlay client, which charges the
 * viewer's budget of upstream calls (policy/upstream-budget.ts).
 */
export interface OperationUpstream {
  readonly loaders: BindingLoaders;
  readonly expressplay: ExpressPlayClient;
}

export class EntitlementService {
  constructor(private readonly deps: EntitlementServiceDeps) {}

  purchase(viewer: Viewer, input: AcquireInput, upstream: OperationUpstream): Promise<LicensedEntitlement> {
    return this.acquire(viewer, input, 'PURCHASE', upstream);
  }

  rent(viewer: Viewer, input: AcquireInput, upstream: OperationUpstream): Promise<LicensedEntitlement> {
    return this.acquire(viewer, input, 'RENTAL', upstream);
  }

  private async acquire(
    viewer: Viewer,
    input: AcquireInput,
    kind: EntitlementKind,
    { loaders, expressplay }: OperationUpstream,
  ): Promise<LicensedEntitlement> {
    if (!IDEMPOTENCY_KEY.test(input.idempotencyKey)) {
      throw new BadUserInputError(
        'idempotencyKey',
        'idempotencyKey must be 8-128 printable ASCII characters without spaces; use a fresh UUID per purchase.',
      );
    }
    const { store, now } = this.deps;
    await this.deps.rateLimiter.check(viewer.userId, kind === 'PURCHASE' ? 'purchase' : 'rent');
    const content = await this.deps.catalog.get(input.contentId);
    const binding = await this.deps.bindings.requireBound(viewer, input.bindingId, loaders);

    // Nothing is sold twice: buying owned content, or renting a title whose rental is still running, returns what
    // the user already has (a double tap with a fresh key is the usual cause). A lapsed rental can be rented again.
    // The store decides under a per-user lock, so that concurrent requests on any replica agree.
    const at = now();
    const { entitlement, outcome } = await store.createEntitlement({
      id: randomUUID(),
      userId: viewer.userId,
      contentId: content.id,
      kind,
      bindingId: binding.id,
      idempotencyKey: input.idempotencyKey,
      createdAt: at,
      expiresAt: kind === 'RENTAL' ? rentalWindowEnd(content, at) : null,
      playSeconds: kind === 'RENTAL' ? content.rentalPlaySeconds : null,
    });
    if (outcome === 'held') {
      return { entitlement, licenseUrl: await this.token(expressplay, content, entitlement, binding, input.drm) };
    }
    if (outcome === 'existing' && (entitlement.contentId !== content.id || entitlement.kind !== kind)) {
      throw new BadUserInputError(
        'idempotencyKey',
        'This idempotencyKey was already used for a different purchase or rental. Use a new key for a new request.',
      );
    }
    if (isExpired(entitlement, now())) throw new RentalExpiredError(content.id, entitlement.expiresAt!);
    return { entitlement, licenseUrl: await this.token(expressplay, content, entitlement, binding, input.drm) };
  }

  /** A new license URL for content the viewer already owns or has a running rental of. */
  async licenseToken(
    viewer: Viewer,
    input: { contentId: string; bindingId: string; drm: DrmSystem },
    { loaders, expressplay }: OperationUpstream,
  ): Promise<LicensedEntitlement> {
    const content = await this.deps.catalog.get(input.contentId);
    const binding = await this.deps.bindings.requireBound(viewer, input.bindingId, loaders);
    const entitlements = await this.deps.store.entitlementsFor(viewer.userId, content.id);
    const at = this.deps.now();
    const purchase = entitlements.find((e) => e.kind === 'PURCHASE');
    const rental = entitlements.find((e) => e.kind === 'RENTAL' && !isExpired(e, at));
    const entitlement = purchase ?? rental;
    if (!entitlement) {
      const lapsed = entitlements.find((e) => e.kind === 'RENTAL');
      if (lapsed) throw new RentalExpiredError(content.id, lapsed.expiresAt!);
      throw new NotEntitledError(content.id);
    }
    return { entitlement, licenseUrl: await this.token(expressplay, content, entitlement, binding, input.drm) };
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
    drm: DrmSystem,
  ): Promise<string> {
    // Each DRM on a device reports its own device id, and a binding holds the one its DRM reported: a token for
    // another DRM restricted to it could never be redeemed. Refused here, after the entitlement was recorded.
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
    const expirationTime = rights.type === 'Rental' && rights.periodEndTime < ttlEnd ? rights.periodEndTime : ttlEnd;
    try {
      const { licenseUrl } = await expressplay.requestToken({
        drm,
        contentKey: content.contentKey,
        kid: content.keyId,
        ...(content.iv ? { iv: content.iv } : {}),
        rights,
        cookie: binding.cookie,
        deviceId: binding.deviceId!,
        expirationTime,
      });
      return licenseUrl;
    } catch (error) {
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
  }
}
