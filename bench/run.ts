/**
 * `npm run bench`: load-tests the service in a child process against a bare Apollo Server baseline in another,
 * with the ExpressPlay sandbox (fixed upstream latency) in a third, and autocannon in this process. Everything
 * listens on 127.0.0.1; every phase has a bounded duration; children are stopped on exit and on error.
 *
 *   npm run bench -- [--duration 10] [--connections 10] [--warmup 3] [--long] [--scenarios a,b]
 *                    [--profile [dir]] [--out bench/results.json] [--log-level info]
 *
 * See bench/README.md for what each scenario measures and how to read the ratios.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { getJson, startChild, type Child } from './lib/children.js';
import { watchCpu } from './lib/cpu.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from './lib/database.js';
import { createFixtures, type BenchUser, type Fixtures } from './lib/setup.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    long: { type: 'boolean', default: false },
    'long-duration': { type: 'string', default: '60' },
    scenarios: { type: 'string' },
    profile: { type: 'string' },
    out: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    'database-url': { type: 'string' },
    'upstream-latency': { type: 'string', default: '20' },
    'bound-users': { type: 'string', default: '20' },
    'pending-users': { type: 'string', default: '10' },
    help: { type: 'boolean', default: false },
  },
  // `--profile` alone means the default folder.
  args: process.argv
    .slice(2)
    .flatMap((arg, i, all) =>
      arg === '--profile' && (all[i + 1] === undefined || all[i + 1].startsWith('--'))
        ? ['--profile', 'bench/profiles']
        : [arg],
    ),
});

if (args.help) {
  process.stdout.write(
    'npm run bench -- [--duration s] [--connections n] [--warmup s] [--long] [--long-duration s]\n' +
      '                 [--scenarios baseline,deviceBinding,...] [--profile [dir]] [--out file]\n' +
      '                 [--log-level info] [--upstream-latency ms] [--bound-users n] [--pending-users n]\n' +
      '                 [--database-url postgres://127.0.0.1/throwaway]\n',
  );
  process.exit(0);
}

const positive = (name: string, raw: string): number => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return n;
};
const params = {
  durationSeconds: positive('duration', args.duration),
  connections: Math.round(positive('connections', args.connections)),
  warmupSeconds: Number(args.warmup),
  longDurationSeconds: positive('long-duration', args['long-duration']),
  upstreamLatencyMs: Number(args['upstream-latency']),
  logLevel: args['log-level'],
  boundUsers: Math.round(positive('bound-users', args['bound-users'])),
  pendingUsers: Math.round(positive('pending-users', args['pending-users'])),
  aliases: 50,
  /** Embedded PGlite unless a (throwaway) PostgreSQL is given; the URL itself is not recorded. */
  database: args['database-url'] ? 'postgresql' : 'pglite',
};
const databaseUrl = args['database-url'];
if (
  databaseUrl !== undefined &&
  !/^postgres(ql)?:\/\/[^/]*(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(databaseUrl)
) {
  throw new Error(
    '--database-url must point at a PostgreSQL on loopback (127.0.0.1): the benchmark touches nothing else',
  );
}
const profileDir = args.profile ? path.resolve(ROOT, args.profile) : undefined;
// A profiled run is slowed by the sampler: its figures never replace the committed results.
const outFile = path.resolve(
  ROOT,
  args.out ?? (profileDir ? path.join(profileDir, 'results.json') : 'bench/results.json'),
);

// ---------------------------------------------------------------------------------------------------------------
// Scenarios

interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly server: 'baseline' | 'target';
  readonly durationSeconds: number;
  /** The next request's body and bearer token; called for every request. */
  readonly next: () => { body: string; token?: string };
  /** The error code every answer must carry: the scenario measures a refusal, not a success. */
  readonly refusedWith?: string;
}

const DEVICE_BINDING = 'query Binding($id: ID!) { deviceBinding(id: $id) { id status deviceId boundAt } }';
const PURCHASE =
  'mutation Purchase($input: PurchaseInput!) { purchase(input: $input) { entitlement { id contentId kind } licenseUrl } }';
const CATALOG = 'query Catalog { contents { nodes { id title keyId rental { periodSeconds playSeconds } } } }';
/**
 * The issue's 1 KB hostile document: each fragment spreads the next one twice, `levels` deep (2^26 fields once
 * expanded). It must be refused as cheaply as a normal query is answered, whoever sends it: no token.
 */
const fanOut = (levels: number): string =>
  [
    'query FanOut { ...F0 }',
    ...Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`),
    `fragment F${levels} on Query { __typename }`,
  ].join('\n');
const aliasQuery = (count: number): string =>
  `query Aliases($id: ID!) { ${Array.from({ length: count }, (_, i) => `b${i}: deviceBinding(id: $id) { status deviceId }`).join(' ')} }`;

/** Round-robin over `items`. */
function rotate<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('nothing to rotate over');
  let i = 0;
  return () => items[i++ % items.length];
}

function scenarios(fixtures: Fixtures): Scenario[] {
  const run = randomBytes(4).toString('hex');
  const bindingQuery = (users: readonly BenchUser[], query: string) => {
    const next = rotate(users);
    return () => {
      const user = next();
      return { body: JSON.stringify({ query, variables: { id: user.bindingId } }), token: user.token };
    };
  };
  const purchases = (() => {
    const nextUser = rotate(fixtures.bound);
    const nextContent = rotate(fixtures.contentIds);
    let n = 0;
    return () => {
      const user = nextUser();
      const input = { contentId: nextContent(), bindingId: user.bindingId, idempotencyKey: `bench-${run}-${(n += 1)}` };
      return { body: JSON.stringify({ query: PURCHASE, variables: { input } }), token: user.token };
    };
  })();
  const d = params.durationSeconds;
  const all: Scenario[] = [
    {
      name: 'baseline',
      description: 'Bare Apollo Server 5 on express 5: { hello }',
      server: 'baseline',
      durationSeconds: d,
      next: () => ({ body: JSON.stringify({ query: '{ hello }' }) }),
    },
    {
      name: 'deviceBinding',
      description: `deviceBinding(id) of a BOUND binding (stored device id, no upstream call), over ${fixtures.bound.length} users`,
      server: 'target',
      durationSeconds: d,
      next: bindingQuery(fixtures.bound, DEVICE_BINDING),
    },
    {
      name: 'deviceBinding-pending',
      description: `deviceBinding(id) of a PENDING binding (one getrecord per request), over ${fixtures.pending.length} users`,
      server: 'target',
      durationSeconds: d,
      next: bindingQuery(fixtures.pending, DEVICE_BINDING),
    },
    {
      name: 'purchase',
      description: `purchase with a fresh idempotencyKey (one token request each), over ${fixtures.bound.length} users x ${fixtures.contentIds.length} titles`,
      server: 'target',
      durationSeconds: d,
      next: purchases,
    },
    {
      name: `aliases-${params.aliases}`,
      description: `${params.aliases} aliases of deviceBinding(id) on one PENDING binding per request (DataLoader: 1 getrecord)`,
      server: 'target',
      durationSeconds: d,
      next: bindingQuery(fixtures.pending, aliasQuery(params.aliases)),
    },
    {
      name: 'catalog',
      description: 'contents (the catalog, 3 titles) for a signed-in user: a normal query to set the next one against',
      server: 'target',
      durationSeconds: d,
      next: (() => {
        const nextUser = rotate(fixtures.bound);
        return () => ({ body: JSON.stringify({ query: CATALOG }), token: nextUser().token });
      })(),
    },
    {
      name: 'hostile-fanout-26',
      description:
        'a 1 KB document whose fragments fan out 26 levels deep (2^26 fields), no token: refused with QUERY_TOO_COMPLEX',
      server: 'target',
      durationSeconds: d,
      next: () => ({ body: JSON.stringify({ query: fanOut(26) }) }),
      refusedWith: 'QUERY_TOO_COMPLEX',
    },
  ];
  // The baseline again at the end: the gap between the two shows how much the machine drifted during the run.
  all.push({ ...all[0], name: 'baseline-end' });
  if (args.long) {
    all.push({
      name: 'deviceBinding-long',
      description: `deviceBinding of BOUND bindings for ${params.longDurationSeconds} s: is the target's memory flat?`,
      server: 'target',
      durationSeconds: params.longDurationSeconds,
      next: bindingQuery(fixtures.bound, DEVICE_BINDING),
    });
  }
  if (args.scenarios === undefined) return all;
  const wanted = new Set(args.scenarios.split(',').map((s) => s.trim()));
  const unknown = [...wanted].filter((w) => !all.some((s) => s.name === w));
  if (unknown.length > 0)
    throw new Error(`Unknown scenario(s) ${unknown.join(', ')}; known: ${all.map((s) => s.name).join(', ')}`);
  return all.filter((s) => wanted.has(s.name));
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

interface Load {
  result: autocannon.Result;
  /** Sent but never answered: autocannon closes its connections at the deadline with these in flight. */
  abandoned: number;
  /** Answers with an `errors` array, not counting the expected refusals of a `refusedWith` scenario. */
  graphqlErrors: number;
  /** Answers carrying the scenario's `refusedWith` code. */
  refused: number;
  firstError: string | undefined;
}

async function load(url: string, scenario: Scenario, durationSeconds: number): Promise<Load> {
  let graphqlErrors = 0;
  let refused = 0;
  let firstError: string | undefined;
  let built = 0;
  const refusal = scenario.refusedWith && `"code":"${scenario.refusedWith}"`;
  let answered = 0;
  const instance = autocannon({
    url: `${url}/graphql`,
    connections: params.connections,
    duration: durationSeconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          built += 1;
          const { body, token } = scenario.next();
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (token) headers.authorization = `Bearer ${token}`;
          return { ...request, headers, body };
        },
        onResponse: (_status, body) => {
          answered += 1;
          if (refusal && body.includes(refusal)) {
            refused += 1;
          } else if (body.includes('"errors"')) {
            graphqlErrors += 1;
            firstError ??= body.slice(0, 300);
          }
        },
      },
    ],
  });
  const result = await instance;
  // Every build is followed by a write (autocannon's `requests.sent` agrees).
  const abandoned = Math.max(0, built - answered);
  return { result, abandoned, graphqlErrors, refused, firstError };
}

/**
 * The target still finishes the requests autocannon abandoned at the deadline; waiting for them keeps their
 * upstream calls out of the next reading of the sandbox's counts.
 */
function settle({ result }: { result: autocannon.Result }): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(3000, Math.max(300, 2 * result.latency.max))));
}

interface MemorySample {
  readonly atSeconds: number;
  readonly rss: number;
  readonly heapUsed: number;
}

interface Memory {
  heapUsed: number;
  rss: number;
}

/** Polls the server's control port every second; `stop()` takes a last sample and returns them all. */
function sampleMemory(controlUrl: string): { stop(): Promise<MemorySample[]> } {
  const started = performance.now();
  const samples: MemorySample[] = [];
  const take = async (): Promise<void> => {
    const m = await getJson<Memory>(`${controlUrl}/bench/stats`).catch(() => undefined);
    if (m) samples.push({ atSeconds: (performance.now() - started) / 1000, rss: m.rss, heapUsed: m.heapUsed });
  };
  const first = take();
  const timer = setInterval(() => void take(), 1000);
  return {
    async stop() {
      clearInterval(timer);
      await first;
      await take();
      return samples.sort((a, b) => a.atSeconds - b.atSeconds);
    },
  };
}

interface SandboxStats {
  token: number;
  getrecord: number;
  license: number;
}

const MB = 1024 * 1024;
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Below this, a run is too short for a verdict on memory: GC cycles and JIT settling dominate. */
const MEMORY_VERDICT_MIN_SECONDS = 30;

/**
 * RSS under load is a sawtooth (it climbs between collections and drops after them), so the verdict compares
 * floors, not peaks: the lowest RSS of the last fifth of the run against the lowest RSS around half time (40-60%).
 * Flat means less than 10% growth over the second half. The first 40% is left out because a fresh process grows
 * while its JIT, pools and caches settle.
 */
function memoryVerdict(samples: readonly MemorySample[], durationSeconds: number) {
  const rss = samples.map((s) => s.rss);
  const floor = (from: number, to: number): number => {
    const inside = samples.filter((s) => s.atSeconds >= from * durationSeconds && s.atSeconds <= to * durationSeconds);
    return inside.length > 0 ? Math.min(...inside.map((s) => s.rss)) : 0;
  };
  const mid = floor(0.4, 0.6) || (rss[0] ?? 0);
  const end = floor(0.8, 1.01) || (rss.at(-1) ?? 0);
  const growth = mid > 0 ? (end - mid) / mid : 0;
  return {
    startMB: round((rss[0] ?? 0) / MB, 1),
    endMB: round((rss.at(-1) ?? 0) / MB, 1),
    maxMB: round(Math.max(...rss, 0) / MB, 1),
    midFloorMB: round(mid / MB, 1),
    endFloorMB: round(end / MB, 1),
    growthSecondHalfPct: round(growth * 100, 1),
    verdict: durationSeconds < MEMORY_VERDICT_MIN_SECONDS ? 'short run' : growth < 0.1 ? 'flat' : 'growing',
    heapUsedEndMB: round((samples.at(-1)?.heapUsed ?? 0) / MB, 1),
    rssSamplesMB: rss.map((r) => round(r / MB, 1)),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

type ScenarioResult = Awaited<ReturnType<typeof measure>>;

function table(results: readonly ScenarioResult[]): string {
  const head = [
    'scenario',
    'req/s',
    'x base',
    'p50 ms',
    'p99 ms',
    'err',
    'non2xx',
    'gql err',
    'token/req',
    'getrec/req',
    'CPU ms/req',
    'RSS MB start>end (max)',
    'memory',
    'other CPU',
  ];
  const rows = results.map((r) => [
    r.name,
    r.requestsPerSecond.toFixed(0),
    r.ratioToBaseline === null ? '-' : r.ratioToBaseline.toFixed(3),
    r.latencyMs.p50.toFixed(1),
    r.latencyMs.p99.toFixed(1),
    String(r.errors + r.timeouts),
    String(r.non2xx),
    String(r.graphqlErrors),
    r.upstream ? r.upstream.tokenPerRequest.toFixed(2) : '-',
    r.upstream ? r.upstream.getrecordPerRequest.toFixed(2) : '-',
    r.cpu ? r.cpu.serverMsPerRequest.toFixed(2) : '-',
    `${r.memory.startMB.toFixed(0)}>${r.memory.endMB.toFixed(0)} (${r.memory.maxMB.toFixed(0)})`,
    `${r.memory.verdict} ${r.memory.growthSecondHalfPct >= 0 ? '+' : ''}${r.memory.growthSecondHalfPct}%`,
    r.cpu ? `${r.cpu.otherPct}%` : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 || i === cells.length - 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function machine() {
  const cpus = os.cpus();
  const git = (...gitArgs: string[]): string | undefined => {
    try {
      return execFileSync('git', gitArgs, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  return {
    machine: {
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      cores: cpus.length,
      availableParallelism: os.availableParallelism(),
      totalMemoryMB: Math.round(os.totalmem() / MB),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
    },
    git: { commit: git('rev-parse', '--short', 'HEAD'), dirty: (git('status', '--porcelain') ?? '') !== '' },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The run

interface Ready {
  url: string;
  control: string;
}

async function measure(
  scenario: Scenario,
  servers: { baseline: Child<Ready>; target: Child<Ready & { jwtSecret: string }> },
  sandboxControl: string,
  ownPids: readonly number[],
) {
  const server = servers[scenario.server];
  const url = server.ready.url;
  if (params.warmupSeconds > 0) await settle(await load(url, scenario, params.warmupSeconds));

  const profileFile =
    profileDir && scenario.server === 'target' ? path.join(profileDir, `${scenario.name}.cpuprofile`) : undefined;
  if (profileFile) await getJson(`${server.ready.control}/bench/profile/start`);
  const before = await getJson<SandboxStats>(`${sandboxControl}/bench/stats`);
  const memory = sampleMemory(server.ready.control);
  const cpu = watchCpu(server.pid, [process.pid, ...ownPids]);
  const { result, abandoned, graphqlErrors, refused, firstError } = await load(url, scenario, scenario.durationSeconds);
  const samples = await memory.stop();
  const cpuShare = cpu.stop();
  // The abandoned requests' upstream calls land in the sandbox's counts: wait for them, and count them.
  await settle({ result });
  const after = await getJson<SandboxStats>(`${sandboxControl}/bench/stats`);
  if (profileFile) await getJson(`${server.ready.control}/bench/profile/stop?file=${encodeURIComponent(profileFile)}`);

  const completed = result.requests.total;
  const handled = completed + abandoned;
  const token = after.token - before.token;
  const getrecord = after.getrecord - before.getrecord;
  return {
    name: scenario.name,
    description: scenario.description,
    server: scenario.server,
    durationSeconds: scenario.durationSeconds,
    requests: completed,
    requestsPerSecond: round(completed / result.duration, 1),
    ratioToBaseline: null as number | null,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      mean: round(result.latency.mean),
      max: result.latency.max,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    graphqlErrors,
    ...(scenario.refusedWith ? { refusedWith: scenario.refusedWith, refused } : {}),
    ...(firstError ? { firstGraphqlError: firstError } : {}),
    upstream:
      scenario.server === 'target'
        ? {
            token,
            getrecord,
            requestsHandled: handled,
            tokenPerRequest: handled > 0 ? round(token / handled, 3) : 0,
            getrecordPerRequest: handled > 0 ? round(getrecord / handled, 3) : 0,
          }
        : null,
    memory: memoryVerdict(samples, scenario.durationSeconds),
    /** Share of all cores' time used by the benchmark's processes and by everything else (noise), in percent. */
    cpu: cpuShare && {
      ...cpuShare,
      /** CPU time of the server under test per completed request: less sensitive to a busy machine than req/s. */
      serverMsPerRequest: handled > 0 ? round((cpuShare.serverSeconds * 1000) / handled, 2) : 0,
    },
    ...(profileFile ? { cpuProfile: path.relative(ROOT, profileFile) } : {}),
  };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'entitlement-bench-'));
  const children: Array<Child<unknown>> = [];
  let database: ThrowawayDatabase | undefined;
  const stopAll = async () => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
    await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the benchmark's processes\n`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const baseEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      NODE_ENV: 'production',
    };
    const log = (text: string) => process.stderr.write(`${text}\n`);
    log(`bench: starting sandbox (upstream latency ${params.upstreamLatencyMs} ms), baseline and target`);
    const sandbox = await startChild<Ready & { customerAuthenticator: string }>(
      'sandbox',
      path.join(BENCH_DIR, 'sandbox.ts'),
      {
        cwd: ROOT,
        env: { ...baseEnv, BENCH_UPSTREAM_LATENCY_MS: String(params.upstreamLatencyMs) },
      },
    );
    children.push(sandbox);
    const jwtSecret = randomBytes(32).toString('hex');
    if (databaseUrl) database = await createThrowawayDatabase(databaseUrl);
    const [baseline, target] = await Promise.all([
      startChild<Ready>('baseline', path.join(BENCH_DIR, 'baseline.ts'), { cwd: ROOT, env: baseEnv }),
      startChild<Ready & { jwtSecret: string }>('target', path.join(BENCH_DIR, 'target.ts'), {
        cwd: ROOT,
        env: {
          ...baseEnv,
          HOST: '127.0.0.1',
          PORT: '0',
          DATA_DIR: path.join(dataDir, 'data'),
          ...(database ? { DATABASE_URL: database.url } : {}),
          BENCH_LOG_FILE: path.join(dataDir, 'target.log'),
          LOG_LEVEL: params.logLevel,
          AUTH_JWT_SECRET: jwtSecret,
          CONTENT_KEY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
          EXPRESSPLAY_TOKEN_BASE: sandbox.ready.url,
          EXPRESSPLAY_API_BASE: sandbox.ready.url,
          EXPRESSPLAY_CUSTOMER_AUTHENTICATOR: sandbox.ready.customerAuthenticator,
          RATE_LIMIT_PER_MINUTE: '1000000000',
          DEVICE_SWAP_COOLDOWN: '0',
        },
      }),
    ]);
    children.push(baseline, target);

    log(`bench: setup: ${params.boundUsers} users with a BOUND binding, ${params.pendingUsers} with a PENDING one`);
    const fixtures = await createFixtures(target.ready.url, jwtSecret, {
      bound: params.boundUsers,
      pending: params.pendingUsers,
    });
    if (profileDir) await mkdir(profileDir, { recursive: true });

    const results: ScenarioResult[] = [];
    for (const scenario of scenarios(fixtures)) {
      log(
        `bench: ${scenario.name}: ${params.warmupSeconds} s warm-up, ${scenario.durationSeconds} s measured, ${params.connections} connections`,
      );
      results.push(
        await measure(scenario, { baseline, target }, sandbox.ready.control, [sandbox.pid, baseline.pid, target.pid]),
      );
    }
    const bases = results.filter((r) => r.server === 'baseline').map((r) => r.requestsPerSecond);
    const baseRps = bases.length > 0 ? bases.reduce((a, b) => a + b, 0) / bases.length : undefined;
    for (const r of results) r.ratioToBaseline = baseRps ? round(r.requestsPerSecond / baseRps, 3) : null;
    const baselineDriftPct = bases.length === 2 ? round(((bases[1] - bases[0]) / bases[0]) * 100, 1) : null;

    await stopAll();
    const report = {
      date: new Date().toISOString(),
      ...machine(),
      baseline: { requestsPerSecond: baseRps === undefined ? null : round(baseRps, 1), driftPct: baselineDriftPct },
      parameters: {
        ...params,
        long: args.long,
        profiled: profileDir !== undefined,
        loadGenerator: 'autocannon 8 (parent process)',
      },
      processes: {
        target: `src/app.ts startApp, ${databaseUrl ? 'PostgreSQL on loopback (DATABASE_URL)' : 'embedded PGlite in a temp DATA_DIR'}, NODE_ENV=production, LOG_LEVEL=${params.logLevel} to a file`,
        sandbox: `ExpressPlay sandbox in its own process, latency ${params.upstreamLatencyMs} ms on token and getrecord`,
        baseline: 'Apollo Server 5 + express 5 + @as-integrations/express5, type Query { hello: String }',
      },
      scenarios: results,
    };
    await mkdir(path.dirname(outFile), { recursive: true });
    await writeFile(outFile, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\n${table(results)}\n\n`);
    // A refusal scenario answers 400 on purpose: there, every completed answer must be that refusal.
    const failed = results.filter((r) =>
      r.refusedWith !== undefined
        ? r.graphqlErrors > 0 || (r.refused ?? 0) < r.requests || r.errors > 0
        : r.graphqlErrors > 0 || r.non2xx > 0 || r.errors > 0,
    );
    for (const r of failed) {
      const refusals =
        r.refusedWith !== undefined ? `${r.refused} of ${r.requests} refused with ${r.refusedWith}, ` : '';
      process.stdout.write(
        `! ${r.name}: ${refusals}${r.graphqlErrors} GraphQL errors, ${r.non2xx} non-2xx, ${r.errors} errors. ${r.firstGraphqlError ?? ''}\n`,
      );
    }
    const busy = results.filter((r) => (r.cpu?.otherPct ?? 0) > 10);
    if (baselineDriftPct !== null && Math.abs(baselineDriftPct) > 10) {
      process.stdout.write(
        `! The baseline moved ${baselineDriftPct}% between start and end: the machine was not steady; rerun.\n`,
      );
    }
    if (busy.length > 0) {
      const shares = busy.map((r) => `${r.name} ${r.cpu!.otherPct}%`).join(', ');
      process.stdout.write(
        `! Other processes used more than 10% of the CPUs during: ${shares}. Figures are noisy; rerun on a quiet machine.\n`,
      );
    }
    process.stdout.write(
      `x base = req/s / mean baseline req/s (start and end), same run, same machine. Upstream latency ${params.upstreamLatencyMs} ms. ` +
        `${os.cpus()[0]?.model.trim()}, ${os.cpus().length} cores, Node ${process.version}.\n` +
        `Written to ${path.relative(ROOT, outFile)}${profileDir ? `; CPU profiles in ${path.relative(ROOT, profileDir)}` : ''}\n`,
    );
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
