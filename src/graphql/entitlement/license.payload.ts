import { Field, ObjectType } from 'type-graphql';
import { Entitlement } from './entitlement.type.js';

/** Shared by the three payloads; never referenced by a resolver, so not emitted into the schema. */
@ObjectType()
class LicensedFields {
  @Field(() => Entitlement, { description: 'The stored entitlement.' })
  entitlement!: Entitlement;

  @Field(() => String, {
    description: "License URL with a token bound to the binding's device; hand it to the device's DRM.",
  })
  licenseUrl!: string;
}

@ObjectType({ description: 'The result of purchase.' })
export class PurchasePayload extends LicensedFields {}

@ObjectType({ description: 'The result of rent.' })
export class RentPayload extends LicensedFields {}

@ObjectType({ description: 'A fresh license URL for content you already hold.' })
export class LicenseTokenPayload extends LicensedFields {}
