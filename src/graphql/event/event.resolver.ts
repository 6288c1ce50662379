import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { EventView } from '../../events/event-history.js';
import { requireViewer, type RequestContext } from '../common/context.js';
import { PageArgs, paginate, type Page } from '../common/connection.js';
import { connectionOf } from '../common/complexity.js';
import { Drm } from '../common/enums.js';
import { EventConnection, eventCursor, eventPosition } from './event-connection.type.js';
import { Event } from './event.type.js';

@Resolver(() => Event)
export class EventResolver {
  @Query(() => EventConnection, {
    complexity: connectionOf(1),
    description:
      'Your history: bindings started, bound, expired and removed, purchases, rentals and licenses, newest first.',
  })
  myEvents(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: RequestContext): Promise<Page<EventView>> {
    const viewer = requireViewer(ctx);
    return paginate(page, eventCursor, eventPosition, (limit, after) => ctx.events.mine(viewer, limit, after));
  }

  @FieldResolver(() => String, { nullable: true, description: 'BINDING_BOUND: the device id ExpressPlay recorded.' })
  deviceId(@Root() event: EventView): string | null {
    return event.data.deviceId ?? null;
  }

  @FieldResolver(() => Drm, {
    nullable: true,
    description: 'The DRM system of the binding or license, where one applies.',
  })
  drm(@Root() event: EventView): Drm | null {
    return event.data.drm ?? null;
  }

  @FieldResolver(() => Boolean, {
    nullable: true,
    description: 'TOKEN_ISSUED: whether the license is persistent (offline).',
  })
  offline(@Root() event: EventView): boolean | null {
    return event.data.offline ?? null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Why: the refusal told to the user (DEVICE_LIMIT_REFUSED), or the reason an admin gave.',
  })
  reason(@Root() event: EventView): string | null {
    return event.data.reason ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'BINDING_STARTED and BINDING_RENAMED: the device name.' })
  name(@Root() event: EventView): string | null {
    return event.data.name ?? null;
  }

  @FieldResolver(() => Boolean, {
    nullable: true,
    description: 'BINDING_REVOKED: whether the swap cool-down was waived (support removed the device).',
  })
  cooldownWaived(@Root() event: EventView): boolean | null {
    return event.data.cooldownWaived ?? null;
  }
}
