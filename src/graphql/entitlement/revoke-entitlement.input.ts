import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: 'An entitlement to revoke (admins only).' })
export class RevokeEntitlementInput {
  @Field(() => ID, { description: 'The entitlement id.' })
  id!: string;

  @Field(() => String, {
    description: 'Why (e.g. "refunded", "chargeback"), 1-500 characters; shown to the user as revokeReason.',
  })
  reason!: string;
}
