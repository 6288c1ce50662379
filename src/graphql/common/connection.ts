/**
 * Relay-style connections (`first`/`after`, `edges { cursor node }`, `pageInfo`) for every list that can grow.
 * Pages are keyset pages (see cursor.ts and the store's list*Page methods): each costs the same however deep.
 */
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { BadUserInputError } from '../../errors/app-error.js';
import type { CursorCodec } from './cursor.js';

export const DEFAULT_PAGE_SIZE = 20;
/** The most items one page may ask for; the cost limit may allow fewer when each item asks for much. */
export const MAX_PAGE_SIZE = 100;

@ObjectType({ description: 'Where a page ends and whether there is more.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether another page follows: pass endCursor as after to get it.' })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'The cursor of the last item of this page; null for an empty page.',
  })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    defaultValue: DEFAULT_PAGE_SIZE,
    description: `How many items, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`,
  })
  first!: number;

  @Field(() => String, {
    nullable: true,
    description: 'Start after this cursor (pageInfo.endCursor of the previous page); omit for the first page.',
  })
  after?: string | null;
}

export interface Edge<T> {
  readonly cursor: string;
  readonly node: T;
}

export interface Page<T> {
  readonly edges: readonly Edge<T>[];
  readonly nodes: readonly T[];
  readonly pageInfo: PageInfo;
}

/**
 * A connection type for `node`: `<Name>Connection` with `<Name>Edge`. Extend the result in a class decorated with
 * `@ObjectType('<Name>Connection')`.
 */
export function Connection<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { description: `One ${name} and its cursor.` })
  class EdgeType {
    @Field(() => String, { description: 'Pass as after to start the next page after this item.' })
    cursor!: string;

    @Field(() => node, { description: `The ${name}.` })
    node!: T;
  }

  @ObjectType()
  abstract class ConnectionType {
    @Field(() => [EdgeType], { description: 'The items of this page, in order, each with its cursor.' })
    edges!: EdgeType[];

    @Field(() => [node], { description: 'The items of edges, for clients that need no cursor per item.' })
    nodes!: T[];

    @Field(() => PageInfo, { description: 'Whether more follows, and where to start it.' })
    pageInfo!: PageInfo;
  }
  return ConnectionType;
}

/** `first` checked against the maximum; BAD_USER_INPUT saying the limit otherwise. */
export function pageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(
      'first',
      `first must be between 1 and ${MAX_PAGE_SIZE} (the maximum page size); got ${first}.`,
    );
  }
  return first;
}

/**
 * Runs one page: `fetch` is asked for one row more than `first`, which says whether another page follows without
 * counting anything.
 */
export async function paginate<T, K>(
  args: PageArgs,
  codec: CursorCodec<K>,
  position: (row: T) => K,
  fetch: (limit: number, after: K | null) => Promise<readonly T[]>,
): Promise<Page<T>> {
  const first = pageSize(args.first);
  const after = args.after === undefined || args.after === null ? null : codec.decode(args.after);
  const rows = await fetch(first + 1, after);
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: codec.encode(position(node)), node }));
  return { edges, nodes, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
