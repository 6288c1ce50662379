/**
 * Pages at scale: seeds 100,000 titles, one user with 100,000 bindings, 100,000 entitlements and 100,000 events
 * (and other users around them), then times the first, a middle and the last page of each list, in the store and through GraphQL,
 * and prints PostgreSQL's plan of each page query. A page should cost the same wherever it is.
 *
 *   npx tsx bench/pages.ts --database-url postgres://…/throwaway   # a real server (a fresh schema, dropped after)
 *   npx tsx bench/pages.ts                                         # embedded PGlite in memory
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { startApp } from '../src/app.js';
import { signDevToken } from '../src/auth/dev-token.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';
import { createStore } from '../src/store/create-store.js';
import type { Store, TimeKeyset } from '../src/store/types.js';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    rows: { type: 'string', default: '100000' },
    samples: { type: 'string', default: '30' },
  },
});
const ROWS = Number(values.rows);
const SAMPLES = Number(values.samples);
const USER = 'u-big';
const T0 = '2030-01-01T00:00:00.000Z';
const key = randomBytes(32);
const schema = `bench_pages_${randomBytes(4).toString('hex')}`;

let query: (text: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>;
let store: Store;
let cleanup: () => Promise<void>;
if (values['database-url']) {
  const client = new pg.Client({ connectionString: values['database-url'], options: `-c search_path=${schema}` });
  await client.connect();
  store = await createStore({ databaseUrl: values['database-url'], schema, contentKeyEncryptionKey: key, poolSize: 4 });
  query = async (text, params) =>
    (await client.query(text, params as unknown[])).rows as Array<Record<string, unknown>>;
  cleanup = async () => {
    await store.close();
    await client.query(`drop schema ${schema} cascade`);
    await client.end();
  };
} else {
  const lite = await PGlite.create();
  store = await createStore({ pglite: lite, keepPgliteOpen: true, contentKeyEncryptionKey: key });
  query = async (text, params) => (await lite.query(text, params as unknown[])).rows as Array<Record<string, unknown>>;
  cleanup = async () => {
    await store.close();
    await lite.close();
  };
}
const backend = values['database-url'] ? 'PostgreSQL' : 'PGlite';

// Seeding: every row in one statement per table. Ties on created_at (three rows a second) exercise the id tiebreak.
// The key ciphertexts are junk on purpose: listing must never decrypt them.
const started = performance.now();
await query(`insert into contents (id, title, key_id, content_key_ciphertext, iv, rental_period_seconds, rental_play_seconds, created_at, updated_at)
  select 'c-' || lpad(g::text, 7, '0'), 'Title ' || g, md5(g::text), 'v1:junk:junk:junk', null, 3600, 600, '${T0}', '${T0}'
  from generate_series(1, ${ROWS}) g`);
// The big user's bindings, and as many again for 10,000 other users.
await query(`insert into bindings (id, user_id, name, cookie, drm, status, device_id, created_at, bound_at, pending_expires_at)
  select md5('b' || g)::uuid::text, case when g <= ${ROWS} then '${USER}' else 'u-' || (g % 10000) end, null, md5('cookie' || g),
    'wv', 'BOUND', md5('device' || g), timestamptz '${T0}' + (g / 3) * interval '1 second', timestamptz '${T0}', timestamptz '${T0}'
  from generate_series(1, ${2 * ROWS}) g`);
await query(`insert into entitlements (id, user_id, content_id, kind, binding_id, idempotency_key, created_at, expires_at, play_seconds)
  select md5('e' || g)::uuid::text, '${USER}', 'c-' || lpad(g::text, 7, '0'), 'PURCHASE', md5('b1')::uuid::text, 'k' || g,
    timestamptz '${T0}' + (g / 3) * interval '1 second', null, null
  from generate_series(1, ${ROWS}) g`);
// The big user's history, and as many events again for the other users; ids follow the times, as when written.
await query(`insert into events (user_id, type, at, actor_id, actor_admin, binding_id, data)
  select case when g <= ${ROWS} then '${USER}' else 'u-' || (g % 10000) end, 'TOKEN_ISSUED',
    timestamptz '${T0}' + (g / 3) * interval '1 second', '${USER}', false, md5('b' || g)::uuid::text, '{"drm":"wv","offline":false}'
  from generate_series(1, ${2 * ROWS}) g`);
await query('analyze');
console.log(
  `${backend}: seeded ${ROWS} titles, ${2 * ROWS} bindings, ${ROWS} entitlements, ${2 * ROWS} events in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/** The keyset of the row at `offset` in newest-first order. */
async function keysetAt(table: string, offset: number): Promise<TimeKeyset> {
  const [row] = await query(
    `select created_at, id from ${table} where user_id = $1 order by created_at desc, id desc offset ${offset} limit 1`,
    [USER],
  );
  return { createdAt: new Date(row.created_at as string), id: row.id as string };
}
/** The same for the user's events, ordered by (at, id). */
async function eventKeysetAt(offset: number): Promise<TimeKeyset> {
  const [row] = await query(
    `select at, id from events where user_id = $1 order by at desc, id desc offset ${offset} limit 1`,
    [USER],
  );
  return { createdAt: new Date(row.at as string), id: String(row.id) };
}
const positions = [0, Math.floor(ROWS / 2), ROWS - 21];
const b64 = (v: unknown[]) => Buffer.from(JSON.stringify(v)).toString('base64url');

// The store: one page of 20 (21 rows asked, as the resolvers do).
console.log('\nstore, median ms per page of 20 at row 0 / middle / end:');
const contentsAt = await Promise.all(
  positions.map(async (p) =>
    p === 0 ? null : ((await query(`select id from contents order by id offset ${p - 1} limit 1`))[0].id as string),
  ),
);
const ent = await Promise.all(positions.map(async (p) => (p === 0 ? null : keysetAt('entitlements', p - 1))));
const bind = await Promise.all(positions.map(async (p) => (p === 0 ? null : keysetAt('bindings', p - 1))));
const row = async (name: string, fns: Array<() => Promise<unknown>>) => {
  const ms: string[] = [];
  for (const fn of fns) ms.push((await time(fn)).toFixed(2));
  console.log(`  ${name.padEnd(22)} ${ms.join(' / ')}`);
};
await row(
  'listContentsPage',
  contentsAt.map((a) => () => store.listContentsPage(21, a)),
);
await row(
  'listEntitlementsPage',
  ent.map((a) => () => store.listEntitlementsPage(USER, 21, a)),
);
await row(
  'listBindingsPage',
  bind.map((a) => () => store.listBindingsPage(USER, 21, a)),
);
const evts = await Promise.all(positions.map(async (p) => (p === 0 ? null : eventKeysetAt(p - 1))));
await row(
  'listEventsPage',
  evts.map((a) => () => store.listEventsPage({ userId: USER }, 21, a)),
);

// Through the service: HTTP, GraphQL, the loaders. Embedded sandbox, quiet logs; the store is the seeded one.
const secret = randomBytes(32).toString('hex');
const config = loadConfig({
  PORT: '0',
  SANDBOX_PORT: '0',
  LOG_LEVEL: 'silent',
  CONTENT_KEY_ENCRYPTION_KEY: key.toString('hex'),
  AUTH_JWT_SECRET: secret,
  RATE_LIMIT_PER_MINUTE: '1000000',
});
const app = await startApp(config, {
  logger: createLogger('silent'),
  store: { ...store, close: async () => undefined },
});
const token = await signDevToken(secret, USER);
const gql = async (text: string, variables: Record<string, unknown>) => {
  const r = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: text, variables }),
  });
  const body = (await r.json()) as { errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
};
console.log('\nGraphQL over HTTP, median ms per page of 20 at row 0 / middle / end:');
const cursorFor = (tag: string, k: TimeKeyset | null) =>
  k === null ? null : b64([tag, k.createdAt.toISOString(), k.id]);
await row(
  'contents',
  contentsAt.map(
    (a) => () =>
      gql(
        'query($after: String) { contents(after: $after) { edges { cursor node { id title keyId fairPlayReady } } pageInfo { hasNextPage endCursor } } }',
        { after: a === null ? null : b64(['content', a]) },
      ),
  ),
);
await row(
  'entitlements { content }',
  ent.map(
    (a) => () =>
      gql(
        'query($after: String) { entitlements(after: $after) { edges { cursor node { id kind createdAt content { id title } } } pageInfo { hasNextPage endCursor } } }',
        { after: cursorFor('entitlement', a) },
      ),
  ),
);
await row(
  'deviceBindings',
  bind.map(
    (a) => () =>
      gql(
        'query($after: String) { deviceBindings(after: $after) { edges { cursor node { id status deviceId } } pageInfo { hasNextPage endCursor } } }',
        { after: cursorFor('binding', a) },
      ),
  ),
);
await row(
  'myEvents',
  evts.map(
    (a) => () =>
      gql(
        'query($after: String) { myEvents(after: $after) { edges { cursor node { id type at bindingId drm offline } } pageInfo { hasNextPage endCursor } } }',
        { after: cursorFor('event', a) },
      ),
  ),
);
await app.stop();

// The plans, deep in each list: the same statements the store sends (as Kysely compiles them).
const deepE = ent[2]!;
const deepB = bind[2]!;
const deepV = evts[2]!;
const plans: Array<[string, string, unknown[]]> = [
  [
    'contents, last page',
    `select "id", "title", "key_id", "iv", "rental_period_seconds", "rental_play_seconds", "created_at", "updated_at" from "contents" where "id" > $1 order by "id" limit $2`,
    [contentsAt[2], 21],
  ],
  [
    'entitlements, last page',
    `select * from "entitlements" where "user_id" = $1 and ("created_at", "id") < ($2, $3) order by "created_at" desc, "id" desc limit $4`,
    [USER, deepE.createdAt, deepE.id, 21],
  ],
  [
    'bindings, last page',
    `select * from "bindings" where "user_id" = $1 and ("created_at", "id") < ($2, $3) order by "created_at" desc, "id" desc limit $4`,
    [USER, deepB.createdAt, deepB.id, 21],
  ],
  [
    'events, last page',
    `select * from "events" where "user_id" = $1 and ("at", "id") < ($2, $3) order by "at" desc, "id" desc limit $4`,
    [USER, deepV.createdAt, deepV.id, 21],
  ],
  [
    'titles of a page (loader)',
    `select "id", "title", "key_id", "iv", "rental_period_seconds", "rental_play_seconds", "created_at", "updated_at" from "contents" where "id" in (${Array.from({ length: 20 }, (_, i) => `$${i + 1}`).join(', ')})`,
    Array.from({ length: 20 }, (_, i) => `c-${String(50_000 + i).padStart(7, '0')}`),
  ],
];
for (const [name, text, params] of plans) {
  const rows = await query(`explain (analyze, buffers, timing off, summary off) ${text}`, params);
  console.log(`\n${name}:\n${rows.map((r) => `  ${String(r['QUERY PLAN'] ?? Object.values(r)[0])}`).join('\n')}`);
}
await cleanup();
