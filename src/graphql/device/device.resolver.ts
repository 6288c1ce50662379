import { Arg, Args, Ctx, FieldResolver, GraphQLISODateTime, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { EventView } from '../../events/event-history.js';
import type { BindingRecord } from '../../store/types.js';
import { requireViewer, type RequestContext } from '../common/context.js';
import { PageArgs, paginate, type Page } from '../common/connection.js';
import { connectionOf, UPSTREAM_CALL } from '../common/complexity.js';
import { BindDeviceInput } from './bind-device.input.js';
import { BindDevicePayload } from './bind-device.payload.js';
import { DeviceBindingConnection, deviceBindingCursor } from './device-binding-connection.type.js';
import { EventConnection, eventCursor, eventPosition } from '../event/event-connection.type.js';
import { DeviceBinding } from './device-binding.type.js';

@Resolver(() => DeviceBinding)
export class DeviceResolver {
  @Mutation(() => BindDevicePayload, {
    complexity: UPSTREAM_CALL,
    description:
      'Starts binding a device: returns a PENDING binding, a dummy license URL and a dummy stream. Play the stream ' +
      'on the device, then query deviceBinding until it is BOUND.',
  })
  async bindDevice(
    @Arg('input', () => BindDeviceInput, { description: 'What to bind.' }) input: BindDeviceInput,
    @Ctx() ctx: RequestContext,
  ): Promise<BindDevicePayload> {
    return ctx.bindings.bind(requireViewer(ctx), { name: input.name, drm: input.drm });
  }

  @Query(() => DeviceBinding, {
    complexity: UPSTREAM_CALL,
    description: "One of your device bindings, with its status checked against ExpressPlay's license records.",
  })
  async deviceBinding(
    @Arg('id', () => ID, { description: 'The binding id from bindDevice.' }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<BindingRecord> {
    return ctx.bindings.get(requireViewer(ctx), id, { lookup: true });
  }

  @Query(() => DeviceBindingConnection, {
    complexity: connectionOf(UPSTREAM_CALL),
    description: 'Your device bindings, newest first, a page at a time.',
  })
  async deviceBindings(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: RequestContext): Promise<Page<BindingRecord>> {
    const viewer = requireViewer(ctx);
    return paginate(
      page,
      deviceBindingCursor,
      (b) => b,
      (limit, after) => ctx.bindings.page(viewer, limit, after),
    );
  }

  @Mutation(() => DeviceBinding, {
    description:
      'Revokes one of your device bindings: no new license token is issued for it (purchase, rent and licenseToken ' +
      'answer DEVICE_NOT_BOUND). Tokens already issued expire within TOKEN_TTL (an hour by default); a persistent ' +
      '(offline) license already on the device plays until its own end.',
  })
  async unbindDevice(
    @Arg('id', () => ID, { description: 'The binding to revoke.' }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<BindingRecord> {
    return ctx.bindings.unbind(requireViewer(ctx), id);
  }

  @Mutation(() => DeviceBinding, {
    description:
      "Renames a device binding: yours, or any user's for an admin (recorded in the history as BINDING_RENAMED). An " +
      'empty name removes it.',
  })
  async renameDeviceBinding(
    @Arg('id', () => ID, { description: 'The binding to rename.' }) id: string,
    @Arg('name', () => String, {
      nullable: true,
      description: 'The new name, at most 64 characters; null or empty for none.',
    })
    name: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<BindingRecord> {
    return ctx.bindings.rename(requireViewer(ctx), id, name);
  }

  @FieldResolver(() => EventConnection, {
    complexity: connectionOf(1),
    description: 'What happened to this binding, newest first: started, bound, licenses issued, renamed, removed.',
  })
  events(
    @Root() binding: BindingRecord,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Page<EventView>> {
    const viewer = requireViewer(ctx);
    return paginate(page, eventCursor, eventPosition, (limit, after) =>
      ctx.events.of(viewer, binding.userId, { bindingId: binding.id }, limit, after),
    );
  }

  @FieldResolver(() => GraphQLISODateTime, {
    nullable: true,
    description: 'While PENDING: when the binding expires if the dummy stream has not been played. Null otherwise.',
  })
  expiresAt(@Root() binding: BindingRecord): Date | null {
    return binding.status === 'PENDING' ? binding.pendingExpiresAt : null;
  }
}
