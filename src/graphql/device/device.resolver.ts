import { Arg, Args, Ctx, FieldResolver, GraphQLISODateTime, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { BindingRecord } from '../../store/types.js';
import { requireViewer, type RequestContext } from '../../server/context.js';
import { PageArgs, paginate, type Page } from '../common/connection.js';
import { connectionOf, UPSTREAM_CALL } from '../complexity.js';
import { BindDeviceInput } from './bind-device.input.js';
import { BindDevicePayload } from './bind-device.payload.js';
import { DeviceBindingConnection, deviceBindingCursor } from './device-binding-connection.type.js';
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
    const result = await ctx.services.bindings.bind(
      requireViewer(ctx),
      { name: input.name, drm: input.drm },
      ctx.upstream.forTokenOperation(),
    );
    return result as unknown as BindDevicePayload;
  }

  @Query(() => DeviceBinding, {
    complexity: UPSTREAM_CALL,
    description: "One of your device bindings, with its status checked against ExpressPlay's license records.",
  })
  async deviceBinding(@Arg('id', () => ID, { description: 'The binding id from bindDevice.' }) id: string, @Ctx() ctx: RequestContext): Promise<BindingRecord> {
    return ctx.services.bindings.get(requireViewer(ctx), id, ctx.loaders);
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
      (limit, after) => ctx.services.bindings.page(viewer, limit, after, ctx.loaders),
    );
  }

  @Mutation(() => DeviceBinding, {
    description: 'Revokes one of your device bindings. Licenses already issued to the device stay as they are.',
  })
  async unbindDevice(@Arg('id', () => ID, { description: 'The binding to revoke.' }) id: string, @Ctx() ctx: RequestContext): Promise<BindingRecord> {
    return ctx.services.bindings.unbind(requireViewer(ctx), id, ctx.loaders);
  }

  @FieldResolver(() => GraphQLISODateTime, {
    nullable: true,
    description: 'While PENDING: when the binding expires if the dummy stream has not been played. Null otherwise.',
  })
  expiresAt(@Root() binding: BindingRecord): Date | null {
    return binding.status === 'PENDING' ? binding.pendingExpiresAt : null;
  }
}
