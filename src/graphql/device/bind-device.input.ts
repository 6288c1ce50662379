import { Field, InputType } from 'type-graphql';
import { Drm } from '../common/enums.js';

@InputType({ description: 'Starts binding a device.' })
export class BindDeviceInput {
  @Field(() => String, { nullable: true, description: 'An optional label for the device, at most 64 characters.' })
  name?: string | null;

  @Field(() => Drm, { defaultValue: Drm.FAIRPLAY, description: "The device's DRM system." })
  drm!: Drm;
}
