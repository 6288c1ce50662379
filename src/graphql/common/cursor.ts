/**
 * Opaque page cursors: base64url of a JSON array holding what the list is ordered by, after a tag naming the list.
 * Clients must not build or read them; we may change what is inside. A cursor is only a position: the viewer's
 * filter always applies, so a forged one can show nothing the viewer could not page to anyway. Anything that does
 * not decode to a position of the right list is BAD_USER_INPUT.
 */
import { BadUserInputError } from '../../errors/app-error.js';
import type { TimeKeyset } from '../../store/types.js';

/** Far longer than any cursor we issue; a bound before decoding anything. */
const MAX_CURSOR_LENGTH = 300;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface CursorCodec<K> {
  encode(position: K): string;
  /** The position in `cursor`, or BAD_USER_INPUT on the `after` argument. */
  decode(cursor: string): K;
}

const badCursor = (): BadUserInputError =>
  new BadUserInputError(
    'after',
    'after is not a cursor of this list: pass pageInfo.endCursor (or an edge cursor) from a previous page of the same field, unchanged.',
  );

function pack(tag: string, values: readonly string[]): string {
  return Buffer.from(JSON.stringify([tag, ...values]), 'utf8').toString('base64url');
}

/** The values after `tag`, exactly `count` strings, or BAD_USER_INPUT. */
function unpack(cursor: string, tag: string, count: number): string[] {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) throw badCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== count + 1 ||
    parsed[0] !== tag ||
    !parsed.every((v) => typeof v === 'string' && v.length > 0)
  ) {
    throw badCursor();
  }
  return (parsed as string[]).slice(1);
}

/** Lists ordered by id (the catalog). */
export function idCursor(tag: string): CursorCodec<string> {
  return {
    encode: (id) => pack(tag, [id]),
    decode: (cursor) => unpack(cursor, tag, 1)[0],
  };
}

/**
 * Lists ordered newest first by (createdAt, id). Times in milliseconds, as every row is written. `idPattern`: what
 * an id of the list looks like (event ids are numbers, which the database would refuse to compare with anything else).
 */
export function timeCursor(tag: string, idPattern?: RegExp): CursorCodec<TimeKeyset> {
  return {
    encode: ({ createdAt, id }) => pack(tag, [createdAt.toISOString(), id]),
    decode: (cursor) => {
      const [time, id] = unpack(cursor, tag, 2) as [string, string];
      const createdAt = new Date(time);
      if (!ISO_TIME.test(time) || Number.isNaN(createdAt.getTime())) throw badCursor();
      if (idPattern !== undefined && !idPattern.test(id)) throw badCursor();
      return { createdAt, id };
    },
  };
}
