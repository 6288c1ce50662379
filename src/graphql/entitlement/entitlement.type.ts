import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { EntitlementKind } from '../common/enums.js';

@ObjectType({ description: 'The right of a user to watch one title: bought to own, or rented.' })
export class Entitlement {
  @Field(() => ID, { description: 'The entitlement id.' })
  id!: string;

  @Field(() => ID, { description: 'The title this entitlement is for.' })
  contentId!: string;

  @Field(() => EntitlementKind, { description: 'PURCHASE or RENTAL.' })
  kind!: EntitlementKind;

  @Field(() => GraphQLISODateTime, { description: 'When the purchase or rental was recorded.' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'End of the rental window (playback must start before it); null for a purchase.',
  })
  expiresAt!: Date | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Rentals: how long playback may last once it has started, in seconds, as rented (the DRM enforces it; it ' +
      'ends earlier if expiresAt comes first). Null for a purchase.',
  })
  playSeconds!: number | null;

  @Field(() => ID, { description: 'The device binding the purchase or rental was made with.' })
  bindingId!: string;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When the platform revoked it (refund, chargeback); null while it is in force.',
  })
  revokedAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why it was revoked, as the platform said; null if not revoked.',
  })
  revokeReason!: string | null;
}
