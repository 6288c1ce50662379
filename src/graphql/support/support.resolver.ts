import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireAdmin } from '../../auth/viewer.js';
import type { EventView } from '../../events/event-history.js';
import type { BindingRecord, EntitlementRecord } from '../../store/types.js';
import { requireViewer, type RequestContext } from '../common/context.js';
import { PageArgs, paginate, type Page } from '../common/connection.js';
import { connectionOf } from '../common/complexity.js';
import { DeviceBindingConnection, deviceBindingCursor } from '../device/device-binding-connection.type.js';
import { DeviceBinding } from '../device/device-binding.type.js';
import { EntitlementConnection, entitlementCursor } from '../entitlement/entitlement-connection.type.js';
import { EventConnection, eventCursor, eventPosition } from '../event/event-connection.type.js';
import { RemoveDeviceBindingInput } from './remove-device-binding.input.js';
import { UserSupport } from './user-support.type.js';

/** Support and admin operations: every one needs the admin role (FORBIDDEN otherwise); changes are in the history. */
@Resolver(() => UserSupport)
export class SupportResolver {
  @Query(() => UserSupport, {
    description:
      "Admins: one user's device bindings (as stored, with lastUsedAt), entitlements and history, for support. " +
      'FORBIDDEN without the admin role.',
  })
  userSupport(
    @Arg('userId', () => ID, { description: "The user's id (their token's subject)." }) userId: string,
    @Ctx() ctx: RequestContext,
  ): UserSupport {
    requireAdmin(requireViewer(ctx), "look up another user's account");
    return { userId };
  }

  @Mutation(() => DeviceBinding, {
    description:
      "Admins: removes a user's device with the swap cool-down waived, so that the user can bind a new one at once; on " +
      'a device the user already removed, waives its cool-down. Recorded in the history with your id and the reason.',
  })
  removeDeviceBinding(
    @Arg('input', () => RemoveDeviceBindingInput, { description: 'Which binding, and why.' })
    input: RemoveDeviceBindingInput,
    @Ctx() ctx: RequestContext,
  ): Promise<BindingRecord> {
    return ctx.bindings.removeForSupport(requireViewer(ctx), input.id, input.reason);
  }

  @FieldResolver(() => DeviceBindingConnection, {
    complexity: connectionOf(1),
    description: "The user's device bindings, newest first.",
  })
  deviceBindings(
    @Root() support: UserSupport,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Page<BindingRecord>> {
    const viewer = requireViewer(ctx);
    return paginate(
      page,
      deviceBindingCursor,
      (b) => b,
      (limit, after) => ctx.bindings.ofUser(viewer, support.userId, limit, after),
    );
  }

  @FieldResolver(() => EntitlementConnection, {
    complexity: connectionOf(1),
    description: "The user's purchases and rentals, newest first.",
  })
  entitlements(
    @Root() support: UserSupport,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Page<EntitlementRecord>> {
    const viewer = requireViewer(ctx);
    return paginate(
      page,
      entitlementCursor,
      (e) => e,
      (limit, after) => ctx.entitlements.ofUser(viewer, support.userId, limit, after),
    );
  }

  @FieldResolver(() => EventConnection, {
    complexity: connectionOf(1),
    description: "The user's history, newest first.",
  })
  events(
    @Root() support: UserSupport,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Page<EventView>> {
    const viewer = requireViewer(ctx);
    return paginate(page, eventCursor, eventPosition, (limit, after) =>
      ctx.events.ofUser(viewer, support.userId, limit, after),
    );
  }
}
