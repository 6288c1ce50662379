import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { BindingStatus, Drm } from '../common/enums.js';

@ObjectType({ description: "A link between the user's account and one device's DRM, made by playing a dummy stream." })
export class DeviceBinding {
  @Field(() => ID, { description: 'The binding id; pass it as bindingId to purchase, rent and licenseToken.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'A label the user chose for the device, if any.' })
  name!: string | null;

  @Field(() => BindingStatus, { description: 'PENDING until the device plays the dummy stream, then BOUND.' })
  status!: BindingStatus;

  @Field(() => Drm, { description: 'The DRM system the binding was made with.' })
  drm!: Drm;

  @Field(() => String, {
    nullable: true,
    description: 'The device id ExpressPlay recorded when the device played the dummy stream; null until BOUND.',
  })
  deviceId!: string | null;

  @Field(() => GraphQLISODateTime, { description: 'When bindDevice created the binding.' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the device played the dummy stream.' })
  boundAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the binding was revoked, if it was.' })
  revokedAt!: Date | null;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When the last license token was issued for this device (its last use); null if none was.',
  })
  lastUsedAt!: Date | null;
}
