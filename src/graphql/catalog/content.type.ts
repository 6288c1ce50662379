import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Rental terms of a title, set by the catalog, never by the client.' })
export class RentalTerms {
  @Field(() => Int, { description: 'Seconds from renting during which playback may start (the rental window).' })
  periodSeconds!: number;

  @Field(() => Int, { description: 'Seconds the title may be watched once playback has started.' })
  playSeconds!: number;
}

@ObjectType({ description: 'A title in the catalog. Its content key is write-only and never returned.' })
export class Content {
  @Field(() => ID, { description: 'The content id; pass it as contentId to purchase and rent.' })
  id!: string;

  @Field(() => String, { description: 'Display title.' })
  title!: string;

  @Field(() => String, { description: 'The content key id (KID), 32 hex digits.' })
  keyId!: string;

  @Field(() => Boolean, {
    description:
      'Whether the title may be downloaded to play offline: purchase, rent and licenseToken accept offline: true ' +
      '(a persistent license) only when it is.',
  })
  offlineAllowed!: boolean;
}
