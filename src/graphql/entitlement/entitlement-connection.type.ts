import { ObjectType } from 'type-graphql';
import { Connection } from '../common/connection.js';
import { timeCursor } from '../common/cursor.js';
import { Entitlement } from './entitlement.type.js';

@ObjectType('EntitlementConnection', { description: 'A page of your purchases and rentals, newest first.' })
export class EntitlementConnection extends Connection(Entitlement, 'Entitlement') {}

export const entitlementCursor = timeCursor('entitlement');
