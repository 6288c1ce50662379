import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireViewer, type RequestContext } from '../common/context.js';
import type { EventView } from '../../events/event-history.js';
import type { CatalogEntry, EntitlementRecord } from '../../store/types.js';
import { PageArgs, paginate, type Page } from '../common/connection.js';
import { connectionOf, UPSTREAM_CALL } from '../common/complexity.js';
import { Content } from '../catalog/content.type.js';
import { EventConnection, eventCursor, eventPosition } from '../event/event-connection.type.js';
import { Drm, EntitlementStatus } from '../common/enums.js';
import { PurchaseInput, RentInput } from './acquire.input.js';
import { EntitlementConnection, entitlementCursor } from './entitlement-connection.type.js';
import { Entitlement } from './entitlement.type.js';
import { LicenseTokenPayload, PurchasePayload, RentPayload } from './license.payload.js';
import { RevokeEntitlementInput } from './revoke-entitlement.input.js';

@Resolver(() => Entitlement)
export class EntitlementResolver {
  @Mutation(() => PurchasePayload, {
    complexity: UPSTREAM_CALL,
    description:
      'Buys a title to own and returns a license URL bound to the device. The purchase is recorded before the ' +
      'license is asked for: on UPSTREAM_UNAVAILABLE, retry with the same idempotencyKey. Buying a title you ' +
      'own returns your purchase.',
  })
  async purchase(
    @Arg('input', () => PurchaseInput, { description: 'What to buy, for which device.' }) input: PurchaseInput,
    @Ctx() ctx: RequestContext,
  ): Promise<PurchasePayload> {
    return ctx.entitlements.purchase(requireViewer(ctx), input);
  }

  @Mutation(() => RentPayload, {
    complexity: UPSTREAM_CALL,
    description:
      "Rents a title on the catalog's rental terms and returns a license URL bound to the device. Retry with the " +
      'same idempotencyKey after a fault. Renting a title whose rental is still running returns that rental; ' +
      'once it has lapsed, renting again starts a new one.',
  })
  async rent(
    @Arg('input', () => RentInput, { description: 'What to rent, for which device.' }) input: RentInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RentPayload> {
    return ctx.entitlements.rent(requireViewer(ctx), input);
  }

  @Query(() => LicenseTokenPayload, {
    complexity: UPSTREAM_CALL,
    description: 'A new license URL for a title you own or have a running rental of, bound to one of your devices.',
  })
  async licenseToken(
    @Arg('contentId', () => ID, { description: 'A title you own or rent.' }) contentId: string,
    @Arg('bindingId', () => ID, { description: 'A BOUND device binding of yours.' }) bindingId: string,
    @Arg('drm', () => Drm, {
      nullable: true,
      description: "The DRM system to issue for; omitted or null: the binding's own.",
    })
    drm: Drm | null | undefined,
    @Ctx() ctx: RequestContext,
    @Arg('offline', () => Boolean, {
      defaultValue: false,
      description: 'A persistent (offline) license; only for titles whose offlineAllowed is true, not for FAIRPLAY.',
    })
    offline: boolean,
  ): Promise<LicenseTokenPayload> {
    return ctx.entitlements.licenseToken(requireViewer(ctx), { contentId, bindingId, drm, offline });
  }

  @Query(() => EntitlementConnection, {
    complexity: connectionOf(1),
    description: 'Your purchases and rentals, newest first, a page at a time.',
  })
  entitlements(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: RequestContext): Promise<Page<EntitlementRecord>> {
    const viewer = requireViewer(ctx);
    return paginate(
      page,
      entitlementCursor,
      (e) => e,
      (limit, after) => ctx.entitlements.page(viewer, limit, after),
    );
  }

  @Mutation(() => Entitlement, {
    description:
      "Admins: revokes a user's entitlement (refund, chargeback) with a reason the user sees. No new license is " +
      'issued for it; licenses already issued last until their token expires (TOKEN_TTL) or, offline, their own ' +
      'end. Revoking it again returns it unchanged. The user may buy or rent the title again.',
  })
  revokeEntitlement(
    @Arg('input', () => RevokeEntitlementInput, { description: 'Which entitlement, and why.' })
    input: RevokeEntitlementInput,
    @Ctx() ctx: RequestContext,
  ): Promise<EntitlementRecord> {
    return ctx.entitlements.revoke(requireViewer(ctx), input);
  }

  @FieldResolver(() => EntitlementStatus, { description: 'ACTIVE, EXPIRED (a lapsed rental) or REVOKED.' })
  status(@Root() entitlement: EntitlementRecord, @Ctx() ctx: RequestContext): EntitlementStatus {
    if (entitlement.revokedAt !== null) return EntitlementStatus.REVOKED;
    return ctx.entitlements.isExpired(entitlement) ? EntitlementStatus.EXPIRED : EntitlementStatus.ACTIVE;
  }

  @FieldResolver(() => EventConnection, {
    complexity: connectionOf(1),
    description: 'What happened to this entitlement, newest first: bought or rented, licenses issued, revoked.',
  })
  events(
    @Root() entitlement: EntitlementRecord,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Page<EventView>> {
    const viewer = requireViewer(ctx);
    return paginate(page, eventCursor, eventPosition, (limit, after) =>
      ctx.events.of(viewer, entitlement.userId, { entitlementId: entitlement.id }, limit, after),
    );
  }

  /** Through the request's loader: a page of entitlements reads its titles in one query, and decrypts no key. */
  @FieldResolver(() => Content, { description: 'The title.' })
  content(@Root() entitlement: EntitlementRecord, @Ctx() ctx: RequestContext): Promise<CatalogEntry> {
    return ctx.catalog.entry(entitlement.contentId);
  }
}
