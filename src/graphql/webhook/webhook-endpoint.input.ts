import { Field, ID, InputType } from 'type-graphql';
import { EventType } from '../common/enums.js';

@InputType({ description: 'A receiver of signed webhooks (admins only).' })
export class RegisterWebhookEndpointInput {
  @Field(() => String, {
    description:
      'An https:// URL on a public address (loopback and private addresses are refused unless the service runs with ' +
      'WEBHOOK_ALLOW_PRIVATE_URLS=true, which also allows http://).',
  })
  url!: string;

  @Field(() => [EventType], { description: 'Which event types to deliver (at least one).' })
  eventTypes!: EventType[];
}

@InputType({ description: 'Changes to an endpoint; fields left out stay as they are.' })
export class UpdateWebhookEndpointInput {
  @Field(() => ID, { description: 'The endpoint (ep_…).' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'A new URL, checked as at registration.' })
  url?: string | null;

  @Field(() => [EventType], { nullable: true, description: 'The event types to deliver from now on (at least one).' })
  eventTypes?: EventType[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'false: stop queueing and sending (queued deliveries wait); true: resume.',
  })
  enabled?: boolean | null;
}
