/**
 * Every argument of the API fed hostile values: strings of every length and encoding, wrong types, unknown ids
 * and other users' ids. Nothing may answer INTERNAL_SERVER_ERROR, and nothing may leak.
 *
 * Through the resolvers as Apollo Server runs them (executeOperation), with the variables as a JSON body would carry
 * them: some 2,000 operations, where a socket, a sandbox and a JWT each added cost and no rule. What only HTTP shows
 * (bodies that are not JSON, status codes, challenges) is tested in tests/integration/errors.test.ts and
 * http-limits.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDeviceId } from '../../src/device/simulated-device.js';
import { createServiceHarness, type ServiceHarness } from '../helpers/service-harness.js';
import { testStoreBackend } from '../helpers/test-store.js';

const CEK = '9e8d7c6b5a4938271605f4e3d2c1b0a9';
const ALLOWED = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'DEVICE_NOT_BOUND',
  'NOT_ENTITLED',
  'RENTAL_EXPIRED',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'DEVICE_LIMIT_REACHED',
  'QUERY_TOO_COMPLEX',
  'OFFLINE_NOT_ALLOWED',
]);

/** Small seeded PRNG (mulberry32): the same values every run, so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hostileStrings(otherUsersIds: string[]): string[] {
  const random = prng(42);
  const randomString = (length: number) =>
    Array.from({ length }, () => String.fromCodePoint(Math.floor(random() * 0x2ffff))).join('');
  return [
    '',
    ' ',
    'a',
    '0',
    '-1',
    'null',
    'undefined',
    'true',
    ...[31, 32, 33, 63, 64, 65, 127, 128, 129, 1000, 9000].map((n) => 'x'.repeat(n)),
    'é',
    'Ünïcødé',
    '日本語のタイトル',
    '🎬'.repeat(40),
    '\u202Eevil',
    'a\u200Bb',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff\ud800',
    '\r\n\t',
    '%s%n%x',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    "'; DROP TABLE entitlements; --",
    '" OR 1=1 --',
    '{"$gt": ""}',
    '${jndi:ldap://x}',
    'sintel\n',
    ' sintel',
    'SINTEL',
    'big-buck-bunny'.toUpperCase(),
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    ...otherUsersIds,
    ...otherUsersIds.map((id) => id.toUpperCase()),
    ...Array.from({ length: 8 }, (_, i) => randomString(1 + i * 13)),
  ];
}

const WRONG_TYPES: unknown[] = [0, -1, 1.5, 2 ** 53, true, null, {}, [], ['sintel'], { id: 'sintel' }];

let h: ServiceHarness;
let victimBinding: string;
let malloryBinding: string;

/** Who runs an operation: the harness's user id, and whether as an admin. */
interface Caller {
  readonly userId: string;
  readonly admin?: boolean;
}
const mallory: Caller = { userId: 'mallory' };
const admin: Caller = { userId: 'fuzz-admin', admin: true };

/** One operation, its variables passed through JSON as a request body would pass them. */
function gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, caller: Caller) {
  return h.execute<T>(query, JSON.parse(JSON.stringify(variables)) as Record<string, unknown>, caller);
}

/** bindDevice as `userId`, and the dummy stream played on a new device. */
async function bindAndPlay(userId: string): Promise<string> {
  const r = await gql<{ bindDevice: { binding: { id: string } } }>(
    `mutation { bindDevice(input: {}) { binding { id } } }`,
    {},
    { userId },
  );
  const id = r.data!.bindDevice.binding.id;
  h.expressplay.play((await h.store.getBinding(id))!.cookie, newDeviceId());
  return id;
}

beforeAll(async () => {
  // The run's store, as over HTTP: PostgreSQL with TEST_DATABASE_URL, else PGlite (which refuses to encode a lone
  // surrogate: every free-text input is checked as plain text before it reaches the store).
  h = await createServiceHarness({ MAX_DEVICES: '100' }, testStoreBackend());
  const created = await gql(
    `mutation($i: UpsertContentInput!) { upsertContent(input: $i) { id } }`,
    {
      i: {
        id: 'fuzz-film',
        title: 'F',
        keyId: 'aa'.repeat(16),
        contentKey: CEK,
        iv: 'bb'.repeat(16),
        rental: { periodSeconds: 60, playSeconds: 60 },
      },
    },
    admin,
  );
  expect(created.errors).toBeUndefined();
  victimBinding = await bindAndPlay('victim');
  const bought = await gql(
    `mutation($b: ID!) { purchase(input: { contentId: "fuzz-film", bindingId: $b, idempotencyKey: "victim-key-0001" }) { licenseUrl } }`,
    { b: victimBinding },
    { userId: 'victim' },
  );
  expect(bought.errors).toBeUndefined();
  malloryBinding = await bindAndPlay(mallory.userId);
});
afterAll(async () => {
  await h?.close();
});

interface Case {
  readonly name: string;
  readonly query: string;
  readonly variables: (value: unknown) => Record<string, unknown>;
  readonly caller: Caller;
}

const acquire = (field: 'contentId' | 'bindingId' | 'idempotencyKey', op: 'purchase' | 'rent'): Case => ({
  name: `${op}.${field}`,
  query: `mutation($i: ${op === 'purchase' ? 'PurchaseInput' : 'RentInput'}!) { ${op}(input: $i) { licenseUrl entitlement { id } } }`,
  variables: (value) => ({
    i: { contentId: 'fuzz-film', bindingId: malloryBinding, idempotencyKey: `k-${Math.random()}`, [field]: value },
  }),
  caller: mallory,
});

const upsert = (field: string): Case => ({
  name: `upsertContent.${field}`,
  query: `mutation($i: UpsertContentInput!) { upsertContent(input: $i) { id } }`,
  variables: (value) => {
    const rental = {
      periodSeconds: 60,
      playSeconds: 30,
      ...(field.startsWith('rental.') ? { [field.slice(7)]: value } : {}),
    };
    const base = { id: 'fuzz-x', title: 'T', keyId: 'cc'.repeat(16), contentKey: 'dd'.repeat(16), iv: null, rental };
    return { i: field.startsWith('rental.') ? base : { ...base, [field]: value } };
  },
  caller: admin,
});

const CASES: Case[] = [
  {
    name: 'deviceBinding.id',
    query: `query($v: ID!) { deviceBinding(id: $v) { id deviceId } }`,
    variables: (v) => ({ v }),
    caller: mallory,
  },
  {
    name: 'unbindDevice.id',
    query: `mutation($v: ID!) { unbindDevice(id: $v) { id } }`,
    variables: (v) => ({ v }),
    caller: mallory,
  },
  {
    name: 'content.id',
    query: `query($v: ID!) { content(id: $v) { id } }`,
    variables: (v) => ({ v }),
    caller: mallory,
  },
  {
    name: 'licenseToken.contentId',
    query: `query($v: ID!, $b: ID!) { licenseToken(contentId: $v, bindingId: $b) { licenseUrl } }`,
    variables: (v) => ({ v, b: malloryBinding }),
    caller: mallory,
  },
  {
    name: 'licenseToken.bindingId',
    query: `query($v: ID!) { licenseToken(contentId: "fuzz-film", bindingId: $v) { licenseUrl } }`,
    variables: (v) => ({ v }),
    caller: mallory,
  },
  {
    name: 'licenseToken.drm',
    query: `query($v: Drm!, $b: ID!) { licenseToken(contentId: "fuzz-film", bindingId: $b, drm: $v) { licenseUrl } }`,
    variables: (v) => ({ v, b: malloryBinding }),
    caller: mallory,
  },
  {
    name: 'bindDevice.name',
    query: `mutation($v: String) { bindDevice(input: { name: $v }) { binding { id } } }`,
    variables: (v) => ({ v }),
    caller: mallory,
  },
  {
    name: 'bindDevice.drm',
    query: `mutation($v: Drm!) { bindDevice(input: { drm: $v }) { binding { id } } }`,
    variables: (v) => ({ v }),
    caller: mallory,
  },
  ...(['contentId', 'bindingId', 'idempotencyKey'] as const).flatMap((f) => [
    acquire(f, 'purchase'),
    acquire(f, 'rent'),
  ]),
  ...['id', 'title', 'keyId', 'contentKey', 'iv', 'rental.periodSeconds', 'rental.playSeconds'].map(upsert),
  {
    name: 'licenseToken.offline',
    query: `query($v: Boolean!, $b: ID!) { licenseToken(contentId: "fuzz-film", bindingId: $b, offline: $v) { licenseUrl } }`,
    variables: (v) => ({ v, b: malloryBinding }),
    caller: mallory,
  },
  {
    name: 'revokeEntitlement.id',
    query: `mutation($v: ID!) { revokeEntitlement(input: { id: $v, reason: "fuzz" }) { id } }`,
    variables: (v) => ({ v }),
    caller: admin,
  },
  {
    name: 'revokeEntitlement.reason',
    query: `mutation($v: String!) { revokeEntitlement(input: { id: "00000000-0000-4000-8000-000000000000", reason: $v }) { id } }`,
    variables: (v) => ({ v }),
    caller: admin,
  },
  {
    name: 'revokeEntitlement by a user',
    query: `mutation($v: ID!) { revokeEntitlement(input: { id: $v, reason: "fuzz" }) { id } }`,
    variables: (v) => ({ v }),
    caller: mallory,
  },
];

describe('fuzzing every argument', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const values = [...hostileStrings([victimBinding]), ...WRONG_TYPES];
    for (const value of values) {
      const r = await gql(c.query, c.variables(value), c.caller);
      const body = JSON.stringify(r);
      const label = `${c.name} = ${JSON.stringify(value).slice(0, 60)}`;
      for (const error of r.errors ?? [])
        expect(ALLOWED, `${label}: ${error.message}`).toContain(error.extensions?.code);
      expect(body.toLowerCase(), label).not.toContain(CEK);
      expect(body, label).not.toContain('victim');
      if (
        r.errors === undefined &&
        c.name !== 'bindDevice.name' &&
        c.name !== 'bindDevice.drm' &&
        !c.name.startsWith('upsertContent')
      ) {
        // The only success allowed is on Mallory's own data with a well-formed value.
        expect(body, label).not.toContain(victimBinding);
      }
    }
  });
});
