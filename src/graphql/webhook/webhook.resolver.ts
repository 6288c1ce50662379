import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  GraphQLISODateTime,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { WebhookEndpointRecord } from '../../store/types.js';
import type { RegisteredWebhookEndpoint, WebhookDeliveryView } from '../../webhooks/webhook-service.js';
import { requireViewer, type RequestContext } from '../common/context.js';
import { PageArgs, paginate, type Page } from '../common/connection.js';
import { connectionOf } from '../common/complexity.js';
import { WebhookDeliveryStatus } from '../common/enums.js';
import {
  byCreation,
  WebhookDeliveryConnection,
  webhookDeliveryCursor,
  WebhookEndpointConnection,
  webhookEndpointCursor,
} from './webhook-connection.type.js';
import { WebhookDelivery } from './webhook-delivery.type.js';
import { RegisterWebhookEndpointInput, UpdateWebhookEndpointInput } from './webhook-endpoint.input.js';
import { RegisterWebhookEndpointPayload, WebhookEndpoint } from './webhook-endpoint.type.js';

@ArgsType()
class WebhookDeliveriesArgs extends PageArgs {
  @Field(() => ID, { description: 'The endpoint whose deliveries to list.' })
  endpointId!: string;

  @Field(() => WebhookDeliveryStatus, { nullable: true, description: 'Only deliveries in this status.' })
  status?: WebhookDeliveryStatus | null;
}

/** Signed webhooks: every operation needs the admin role (FORBIDDEN otherwise). */
@Resolver(() => WebhookDelivery)
export class WebhookResolver {
  @FieldResolver(() => GraphQLISODateTime, {
    nullable: true,
    description:
      'PENDING: when the next attempt is due; SENDING: when the current one is given up for lost (its lease ends); ' +
      'null once DELIVERED or FAILED.',
  })
  nextAttemptAt(@Root() delivery: WebhookDeliveryView): Date | null {
    return delivery.status === 'PENDING' || delivery.status === 'SENDING' ? delivery.nextAttemptAt : null;
  }

  @Mutation(() => RegisterWebhookEndpointPayload, {
    description:
      'Admins: registers a receiver of signed webhooks (Standard Webhooks) for some event types. The answer holds ' +
      'its secret, shown this once.',
  })
  registerWebhookEndpoint(
    @Arg('input', () => RegisterWebhookEndpointInput, { description: 'Where, and which events.' })
    input: RegisterWebhookEndpointInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RegisteredWebhookEndpoint> {
    return ctx.webhooks.register(requireViewer(ctx), input);
  }

  @Mutation(() => WebhookEndpoint, {
    description: "Admins: changes an endpoint's URL or event types, or disables (enabled: false) or enables it.",
  })
  updateWebhookEndpoint(
    @Arg('input', () => UpdateWebhookEndpointInput, { description: 'Which endpoint, and what changes.' })
    input: UpdateWebhookEndpointInput,
    @Ctx() ctx: RequestContext,
  ): Promise<WebhookEndpointRecord> {
    const { id, ...change } = input;
    return ctx.webhooks.update(requireViewer(ctx), id, change);
  }

  @Mutation(() => WebhookDelivery, {
    description:
      'Admins: sends a DELIVERED or FAILED delivery again, with the same webhook-id (receivers dedupe on it) and a new ' +
      'retry window. One still on its way is returned as it is.',
  })
  replayWebhookDelivery(
    @Arg('id', () => ID, { description: 'The delivery (webhook-id).' }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<WebhookDeliveryView> {
    return ctx.webhooks.replay(requireViewer(ctx), id);
  }

  @Query(() => WebhookEndpointConnection, {
    complexity: connectionOf(1),
    description: 'Admins: the registered webhook endpoints, newest first.',
  })
  webhookEndpoints(
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Page<WebhookEndpointRecord>> {
    const viewer = requireViewer(ctx);
    return paginate(page, webhookEndpointCursor, byCreation, (limit, after) => ctx.webhooks.list(viewer, limit, after));
  }

  @Query(() => WebhookDeliveryConnection, {
    complexity: connectionOf(2),
    description: "Admins: an endpoint's deliveries, newest first, each with its attempts.",
  })
  webhookDeliveries(
    @Args(() => WebhookDeliveriesArgs) args: WebhookDeliveriesArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<Page<WebhookDeliveryView>> {
    const viewer = requireViewer(ctx);
    const filter = { endpointId: args.endpointId, ...(args.status ? { status: args.status } : {}) };
    return paginate(args, webhookDeliveryCursor, byCreation, (limit, after) =>
      ctx.webhooks.deliveries(viewer, filter, limit, after),
    );
  }
}
