import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: "A user's device to remove with the swap cool-down waived (admins only)." })
export class RemoveDeviceBindingInput {
  @Field(() => ID, { description: 'The binding id (from userSupport.deviceBindings).' })
  id!: string;

  @Field(() => String, { description: 'Why (e.g. "phone lost, ticket 4711"), 1-500 characters; kept in the history.' })
  reason!: string;
}
