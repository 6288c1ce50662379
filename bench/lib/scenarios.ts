/**
 * What the bench asks of a target: the GraphQL documents and the request sources of each scenario. A source is
 * called once per request and returns that request's body and token.
 */
import { randomBytes } from 'node:crypto';
import type { RequestSource } from './closed-loop.js';
import type { BenchUser, Fixtures } from './setup.js';

export const DEVICE_BINDING = 'query Binding($id: ID!) { deviceBinding(id: $id) { id status deviceId boundAt } }';
export const PURCHASE =
  'mutation Purchase($input: PurchaseInput!) { purchase(input: $input) { entitlement { id contentId kind } licenseUrl } }';
export const CATALOG = 'query Catalog { contents { nodes { id title keyId rental { periodSeconds playSeconds } } } }';
export const ALIASES = 50;

/**
 * The 1 KB hostile document: each fragment spreads the next one twice, `levels` deep (2^26 fields once
 * expanded). It must be refused as cheaply as a normal query is answered, whoever sends it: no token.
 */
export const fanOut = (levels: number): string =>
  [
    'query FanOut { ...F0 }',
    ...Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`),
    `fragment F${levels} on Query { __typename }`,
  ].join('\n');

export const aliasQuery = (count: number): string =>
  `query Aliases($id: ID!) { ${Array.from({ length: count }, (_, i) => `b${i}: deviceBinding(id: $id) { status deviceId }`).join(' ')} }`;

/** Round-robin over `items`. */
function rotate<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('nothing to rotate over');
  let i = 0;
  return () => items[i++ % items.length];
}

function bindingQuery(users: readonly BenchUser[], query: string): RequestSource {
  const nextUser = rotate(users);
  return {
    next: () => {
      const user = nextUser();
      return { body: JSON.stringify({ query, variables: { id: user.bindingId } }), token: user.token };
    },
  };
}

/**
 * Purchases of (user, title) pairs never bought before, title by title across all bound users, so that each one
 * takes the insert path (a new entitlement), not "already owned". When the pairs run out the source starts over
 * (owned path) and counts those in `repeats`, which the report shows.
 */
export interface PurchaseSource extends RequestSource {
  readonly pairs: number;
  inserts(): number;
  repeats(): number;
}

export function purchases(fixtures: Fixtures): PurchaseSource {
  const run = randomBytes(4).toString('hex');
  const pairs = fixtures.bound.length * fixtures.contentIds.length;
  let n = 0;
  return {
    pairs,
    inserts: () => Math.min(n, pairs),
    repeats: () => Math.max(0, n - pairs),
    next: () => {
      const k = n % pairs;
      n += 1;
      const user = fixtures.bound[k % fixtures.bound.length];
      const contentId = fixtures.contentIds[Math.floor(k / fixtures.bound.length)];
      const input = { contentId, bindingId: user.bindingId, idempotencyKey: `bench-${run}-${n}` };
      return { body: JSON.stringify({ query: PURCHASE, variables: { input } }), token: user.token };
    },
  };
}

export interface Scenario {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** closed: throughput with autocannon; open: fixed arrival rate, latency from the scheduled time. */
  readonly loop: 'closed' | 'open';
  readonly source: RequestSource;
  /** Upstream calls each request must make, checked against the sandbox's counters. */
  readonly expect?: { readonly getrecordPerRequest?: number; readonly tokenPerRequest?: number };
  /** Waits for abandoned requests' upstream calls after a window (they are slow). */
  readonly upstream: boolean;
  /** Part of the memory-over-requests phase. */
  readonly memory: boolean;
}

export function scenarioNames(): string[] {
  return [
    'deviceBinding',
    'deviceBinding-pending',
    `aliases-${ALIASES}`,
    `aliases-${ALIASES}-bound`,
    'purchase',
    'purchase-fixed-rate',
    'catalog',
    'hostile-fanout-26',
  ];
}

export function makeScenarios(fixtures: Fixtures, purchase: PurchaseSource, fixedRate: number): Scenario[] {
  return [
    {
      name: 'deviceBinding',
      title: '`deviceBinding`, bound',
      description: `deviceBinding(id) of a BOUND binding (stored device id, no upstream call), over ${fixtures.bound.length} users`,
      loop: 'closed',
      source: bindingQuery(fixtures.bound, DEVICE_BINDING),
      expect: { getrecordPerRequest: 0, tokenPerRequest: 0 },
      upstream: false,
      memory: true,
    },
    {
      name: 'deviceBinding-pending',
      title: '`deviceBinding`, pending (1 getrecord)',
      description: `deviceBinding(id) of a PENDING binding (one getrecord per request), over ${fixtures.pending.length} users`,
      loop: 'closed',
      source: bindingQuery(fixtures.pending, DEVICE_BINDING),
      expect: { getrecordPerRequest: 1 },
      upstream: true,
      memory: true,
    },
    {
      name: `aliases-${ALIASES}`,
      title: `${ALIASES} aliases, one cookie`,
      description: `${ALIASES} aliases of deviceBinding(id) on one PENDING binding per request: exactly 1 getrecord`,
      loop: 'closed',
      source: bindingQuery(fixtures.pending, aliasQuery(ALIASES)),
      expect: { getrecordPerRequest: 1 },
      upstream: true,
      memory: true,
    },
    {
      // The same document on a BOUND binding: what the 50 fields cost without the record retrieval, so that the
      // pending lookup's cost over it is the upstream call's alone.
      name: `aliases-${ALIASES}-bound`,
      title: `${ALIASES} aliases, bound`,
      description: `${ALIASES} aliases of deviceBinding(id) on one BOUND binding per request: no upstream call`,
      loop: 'closed',
      source: bindingQuery(fixtures.bound, aliasQuery(ALIASES)),
      expect: { getrecordPerRequest: 0, tokenPerRequest: 0 },
      upstream: false,
      memory: false,
    },
    {
      name: 'purchase',
      title: '`purchase`',
      description: `purchase of a new (user, title) pair each time (insert path, one token request), closed loop, over ${purchase.pairs} pairs`,
      loop: 'closed',
      source: purchase,
      expect: { tokenPerRequest: 1 },
      upstream: true,
      memory: true,
    },
    {
      name: 'purchase-fixed-rate',
      title: `\`purchase\` at ${fixedRate} req/s`,
      description: `purchase of a new (user, title) pair at a fixed ${fixedRate} req/s (open loop: latency from the scheduled send time)`,
      loop: 'open',
      source: purchase,
      expect: { tokenPerRequest: 1 },
      upstream: true,
      memory: false,
    },
    {
      name: 'catalog',
      title: '`contents` (catalog page)',
      description: 'contents (the first catalog page) for a signed-in user: a normal query to set the next one against',
      loop: 'closed',
      source: (() => {
        const nextUser = rotate(fixtures.bound);
        return { next: () => ({ body: JSON.stringify({ query: CATALOG }), token: nextUser().token }) };
      })(),
      expect: { getrecordPerRequest: 0, tokenPerRequest: 0 },
      upstream: false,
      memory: false,
    },
    {
      name: 'hostile-fanout-26',
      title: 'hostile 1 KB fan-out (refused)',
      description:
        'a 1 KB document whose fragments fan out 26 levels deep (2^26 fields), no token: refused with QUERY_TOO_COMPLEX',
      loop: 'closed',
      source: { next: () => ({ body: JSON.stringify({ query: fanOut(26) }) }), refusedWith: 'QUERY_TOO_COMPLEX' },
      upstream: false,
      memory: false,
    },
  ];
}

/** The bare-Apollo baseline's only request. */
export const BASELINE_SOURCE: RequestSource = { next: () => ({ body: JSON.stringify({ query: '{ hello }' }) }) };
