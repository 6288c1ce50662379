import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { EventType } from '../common/enums.js';

@ObjectType({ description: 'Admins: a receiver of signed webhooks. Its secret is shown once, at registration.' })
export class WebhookEndpoint {
  @Field(() => ID, { description: 'The endpoint id (ep_…).' })
  id!: string;

  @Field(() => String, { description: 'Where deliveries are POSTed.' })
  url!: string;

  @Field(() => [EventType], { description: 'The event types delivered to it.' })
  eventTypes!: EventType[];

  @Field(() => Boolean, {
    description: 'Whether deliveries are sent; while disabled, new events are not queued for it.',
  })
  enabled!: boolean;

  @Field(() => ID, { description: 'The admin who registered it.' })
  createdBy!: string;

  @Field(() => GraphQLISODateTime, { description: 'When it was registered.' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'When it was last changed.' })
  updatedAt!: Date;
}

@ObjectType({ description: 'A registered endpoint and its signing secret.' })
export class RegisterWebhookEndpointPayload {
  @Field(() => WebhookEndpoint, { description: 'The endpoint, enabled.' })
  endpoint!: WebhookEndpoint;

  @Field(() => String, {
    description:
      'The Standard Webhooks signing secret (whsec_…). Shown only in this answer: store it with the receiver. It is ' +
      'kept encrypted and can never be read again.',
  })
  secret!: string;
}
