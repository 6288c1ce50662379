import { Field, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'Rental terms for a title.' })
export class RentalTermsInput {
  @Field(() => Int, { description: 'Seconds from renting during which playback may start (1 to 366 days).' })
  periodSeconds!: number;

  @Field(() => Int, { description: 'Seconds the title may be watched once started; at most periodSeconds.' })
  playSeconds!: number;
}

@InputType({ description: 'A catalog entry to create or replace (admins only).' })
export class UpsertContentInput {
  @Field(() => ID, { description: 'Content id: letters, digits, ".", "_", ":" or "-", at most 128 characters.' })
  id!: string;

  @Field(() => String, { description: 'Display title, 1-200 characters.' })
  title!: string;

  @Field(() => String, { description: 'Content key id (KID), 32 hex digits.' })
  keyId!: string;

  @Field(() => String, {
    description: 'Content encryption key (CEK), 32 hex digits. Stored encrypted; never returned.',
  })
  contentKey!: string;

  @Field(() => String, {
    nullable: true,
    description: 'FairPlay content IV, 32 hex digits; needed for FAIRPLAY licenses.',
  })
  iv?: string | null;

  @Field(() => RentalTermsInput, { description: 'Rental terms.' })
  rental!: RentalTermsInput;

  @Field(() => Boolean, {
    defaultValue: false,
    description: 'Whether clients may ask for persistent (offline) licenses of this title; false: streaming only.',
  })
  offlineAllowed?: boolean;
}
