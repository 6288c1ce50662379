import { ObjectType } from 'type-graphql';
import type { EventView } from '../../events/event-history.js';
import type { TimeKeyset } from '../../store/types.js';
import { Connection } from '../common/connection.js';
import { timeCursor } from '../common/cursor.js';
import { Event } from './event.type.js';

@ObjectType('EventConnection', { description: 'A page of events, newest first.' })
export class EventConnection extends Connection(Event, 'Event') {}

/** Event ids are numbers: a cursor naming anything else is BAD_USER_INPUT, not a database error. */
export const eventCursor = timeCursor('event', /^\d{1,19}$/);

export const eventPosition = (e: EventView): TimeKeyset => ({ createdAt: e.at, id: e.id });
