import { Field, ObjectType } from 'type-graphql';
import { DeviceBinding } from './device-binding.type.js';

@ObjectType({ description: 'A new PENDING binding and what the device must play to complete it.' })
export class BindDevicePayload {
  @Field(() => DeviceBinding, { description: 'The binding, PENDING until the device plays the dummy stream.' })
  binding!: DeviceBinding;

  @Field(() => String, {
    description: "License URL of the dummy token; the device's DRM sends its license request here.",
  })
  licenseUrl!: string;

  @Field(() => String, {
    description: 'URL of a dummy HLS playlist whose key URI is the skd:// form of licenseUrl; play it on the device.',
  })
  contentUrl!: string;
}
