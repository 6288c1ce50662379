import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType({ description: "Admins: one user's device bindings, entitlements and history, for support." })
export class UserSupport {
  @Field(() => ID, { description: 'The user (token subject) looked up.' })
  userId!: string;
}
