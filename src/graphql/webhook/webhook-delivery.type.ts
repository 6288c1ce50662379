import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { EventType, WebhookAttemptError, WebhookDeliveryStatus } from '../common/enums.js';

@ObjectType({ description: 'One POST of a webhook delivery.' })
export class WebhookAttempt {
  @Field(() => Int, { description: '1 for the first attempt; replays continue the count.' })
  number!: number;

  @Field(() => GraphQLISODateTime, { description: 'When the POST started (its webhook-timestamp).' })
  startedAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'When it answered, failed or timed out.' })
  finishedAt!: Date;

  @Field(() => Int, { nullable: true, description: "The receiver's HTTP status; null when it gave none." })
  statusCode!: number | null;

  @Field(() => WebhookAttemptError, { nullable: true, description: 'Why it failed; null when it succeeded.' })
  errorKind!: WebhookAttemptError | null;

  @Field(() => Int, { description: 'How long it took, in milliseconds.' })
  durationMs!: number;

  @Field(() => String, {
    nullable: true,
    description: "The first characters of a failed answer's body, secrets redacted; never more.",
  })
  responseSnippet!: string | null;
}

@ObjectType({ description: 'An event queued for one endpoint, and what became of it.' })
export class WebhookDelivery {
  @Field(() => ID, { description: 'The webhook-id header (msg_…): the same on every attempt and replay.' })
  id!: string;

  @Field(() => ID, { description: 'The endpoint it is sent to.' })
  endpointId!: string;

  @Field(() => ID, { description: 'The event delivered (Event.id).' })
  eventId!: string;

  @Field(() => EventType, { description: "The event's type (the body's type)." })
  eventType!: EventType;

  @Field(() => WebhookDeliveryStatus, { description: 'Where it is.' })
  status!: WebhookDeliveryStatus;

  @Field(() => Int, { name: 'attemptCount', description: 'Attempts made so far.' })
  attempts!: number;

  @Field(() => GraphQLISODateTime, { description: 'When the delivery was queued.' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the receiver answered 2xx, if it did.' })
  deliveredAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'The last failure (an HTTP status or an error kind).' })
  lastError!: string | null;

  @Field(() => [WebhookAttempt], { name: 'attempts', description: 'Every attempt, first first.' })
  attemptList!: WebhookAttempt[];
}
