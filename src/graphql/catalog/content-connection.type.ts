import { ObjectType } from 'type-graphql';
import { Connection } from '../common/connection.js';
import { idCursor } from '../common/cursor.js';
import { Content } from './content.type.js';

@ObjectType('ContentConnection', { description: 'A page of the catalog, ordered by content id.' })
export class ContentConnection extends Connection(Content, 'Content') {}

export const contentCursor = idCursor('content');
