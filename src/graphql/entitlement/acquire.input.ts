import { Field, ID, InputType } from 'type-graphql';
import { Drm } from '../common/enums.js';

/**
 * Purchase and rent take the same fields; two named types keep each mutation's input its own. The base type is
 * never referenced by a resolver, so it is not emitted into the schema.
 */
@InputType()
class AcquireFields {
  @Field(() => ID, { description: 'The title to buy or rent.' })
  contentId!: string;

  @Field(() => ID, { description: 'A BOUND device binding of yours; the license works only on that device.' })
  bindingId!: string;

  @Field(() => Drm, {
    nullable: true,
    description:
      "The DRM system to issue the license for; omitted or null: the binding's own. Another DRM than the " +
      "binding's gets DRM_NOT_BOUND, since the device's id holds for one DRM only.",
  })
  drm?: Drm | null;

  @Field(() => String, {
    description:
      'A key you make per purchase (a UUID is ideal), 8-128 printable characters. Sending it again returns the ' +
      'same entitlement instead of a second one, so retry freely after a timeout.',
  })
  idempotencyKey!: string;

  @Field(() => Boolean, {
    defaultValue: false,
    description:
      'Ask for a persistent license the device may store and play offline. Only for titles whose offlineAllowed ' +
      'is true, and not for FAIRPLAY (ExpressPlay issues none); OFFLINE_NOT_ALLOWED otherwise.',
  })
  offline!: boolean;
}

@InputType({ description: 'Buys a title to own.' })
export class PurchaseInput extends AcquireFields {}

@InputType({ description: "Rents a title on the catalog's rental terms." })
export class RentInput extends AcquireFields {}
