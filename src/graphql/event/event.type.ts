import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { EventType } from '../common/enums.js';

@ObjectType({ description: 'Who made a change: the user, or an admin (support) acting for them.' })
export class EventActor {
  @Field(() => ID, {
    nullable: true,
    description:
      "The user's or admin's id; null for an admin when you are not one (users see that support acted, not who).",
  })
  id!: string | null;

  @Field(() => Boolean, { description: 'Whether an admin (support) made the change.' })
  admin!: boolean;
}

/**
 * The details are typed fields rather than one JSON scalar: clients get them in the schema and in generated types,
 * and only these fields can ever leave the service, whatever a stored event holds.
 */
@ObjectType({
  description:
    'Something that happened to your bindings or entitlements, recorded with the change itself. Never holds a key, a ' +
    'token or a license URL.',
})
export class Event {
  @Field(() => ID, { description: 'The event id; later events have larger ids.' })
  id!: string;

  @Field(() => EventType, { description: 'What happened.' })
  type!: EventType;

  @Field(() => GraphQLISODateTime, { description: 'When it happened.' })
  at!: Date;

  @Field(() => EventActor, { nullable: true, description: 'Who did it; null when the service did (an expiry).' })
  actor!: EventActor | null;

  @Field(() => ID, { nullable: true, description: 'The device binding it concerns, if any.' })
  bindingId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The entitlement it concerns, if any.' })
  entitlementId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The title it concerns, if any.' })
  contentId!: string | null;
}
