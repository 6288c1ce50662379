import { ObjectType } from 'type-graphql';
import { Connection } from '../common/connection.js';
import { timeCursor } from '../common/cursor.js';
import { DeviceBinding } from './device-binding.type.js';

@ObjectType('DeviceBindingConnection', { description: 'A page of your device bindings, newest first.' })
export class DeviceBindingConnection extends Connection(DeviceBinding, 'DeviceBinding') {}

export const deviceBindingCursor = timeCursor('binding');
