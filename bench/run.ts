/**
 * `npm run bench`: builds the service and runs it compiled (`node dist/...`) against a bare Apollo Server baseline,
 * with the ExpressPlay sandbox (fixed upstream latency) in its own process and the load generator in this one.
 *
 * Each round runs the baseline, then every scenario on every target (PGlite, PostgreSQL, and the BENCH_COMPARE
 * ref's build when asked), with the baseline again between each two, so that every figure has a baseline measured
 * just before and just after it. N rounds give a median and a spread per scenario. Warm-up repeats short windows
 * until two in a row agree; purchase latency is measured at a fixed arrival rate (open loop); memory is sampled
 * after forced GC at fixed request counts; and a run whose baseline drifted across rounds is not written.
 *
 *   npm run bench -- [--rounds 5] [--quick] [--stores pglite,postgres] [--scenarios a,b] [--compare <ref>]
 *                    [--memory-requests n] [--force] [--profile [dir]] [--out bench/results.json] ...
 *
 * Everything listens on 127.0.0.1; every phase has a bounded duration; children, the throwaway PostgreSQL and
 * the compare worktree are removed on exit, on error and on Ctrl-C. See bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildCompareTree, buildTree, gitState, type CompareTree } from './lib/build.js';
import { getJson, startChild, type Child } from './lib/children.js';
import { closedLoop, type ClosedLoopResult, type RequestSource } from './lib/closed-loop.js';
import { startCpuMeter, type CpuReading, type PidGroups } from './lib/cpu.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from './lib/database.js';
import { openLoop } from './lib/open-loop.js';
import {
  backendPids,
  closeBackendListers,
  resolvePostgres,
  visibleInProc,
  type PostgresServer,
} from './lib/postgres.js';
import { consoleTable, markdownTable, type ScenarioReport, type TargetReport } from './lib/report.js';
import {
  BASELINE_SOURCE,
  makeScenarios,
  purchases,
  scenarioNames,
  type PurchaseSource,
  type Scenario,
} from './lib/scenarios.js';
import { createFixtures, type Fixtures } from './lib/setup.js';
import {
  baselineDrift,
  driftPct,
  isStable,
  trendPct,
  latencySummary,
  median,
  ratioToAdjacent,
  round,
  spread,
  writeDecision,
} from './lib/stats.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');

// ---------------------------------------------------------------------------------------------------------------
// Parameters: flags, with BENCH_* environment variables for the knobs a CI job or the lead sets.

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: process.env.BENCH_QUICK === '1' },
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS },
    window: { type: 'string' },
    'baseline-window': { type: 'string' },
    'fixed-rate': { type: 'string', default: '20' },
    'fixed-window': { type: 'string' },
    connections: { type: 'string', default: '10' },
    'warmup-window': { type: 'string' },
    'warmup-max': { type: 'string' },
    rewarm: { type: 'string' },
    'memory-requests': { type: 'string', default: process.env.BENCH_MEMORY_REQUESTS },
    'memory-samples': { type: 'string' },
    'drift-bound': { type: 'string', default: '1.25' },
    force: { type: 'boolean', default: false },
    stores: { type: 'string', default: process.env.BENCH_STORES ?? 'pglite,postgres' },
    scenarios: { type: 'string' },
    compare: { type: 'string', default: process.env.BENCH_COMPARE },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL },
    profile: { type: 'string' },
    out: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    'upstream-latency': { type: 'string', default: '20' },
    'bound-users': { type: 'string', default: '40' },
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
    'npm run bench -- [--quick] [--rounds 5] [--window s] [--baseline-window s] [--fixed-rate 20] [--fixed-window s]\n' +
      '                 [--connections 10] [--warmup-window s] [--warmup-max n] [--rewarm 0.5] [--memory-requests n]\n' +
      '                 [--memory-samples 5] [--drift-bound 1.25] [--force] [--stores pglite,postgres]\n' +
      '                 [--scenarios deviceBinding,purchase,...] [--compare <git ref>] [--database-url postgres://...]\n' +
      '                 [--profile [dir]] [--out file] [--log-level info] [--upstream-latency 20]\n' +
      '                 [--bound-users 40] [--pending-users 10]\n' +
      'Environment: BENCH_QUICK=1, BENCH_ROUNDS, BENCH_MEMORY_REQUESTS, BENCH_STORES, BENCH_COMPARE, BENCH_DATABASE_URL\n',
  );
  process.exit(0);
}

/** A numeric flag, or `fallback` when it is not given: above 0, or with `orZero` 0 as well. */
const numberFlag = (name: string, raw: string | undefined, fallback: number, orZero: boolean): number => {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !orZero)) {
    throw new Error(`--${name} must be ${orZero ? 'a number >= 0' : 'a positive number'}, got "${raw}"`);
  }
  return n;
};
const positive = (name: string, raw: string | undefined, fallback: number): number =>
  numberFlag(name, raw, fallback, false);
const nonNegative = (name: string, raw: string | undefined, fallback: number): number =>
  numberFlag(name, raw, fallback, true);
const quick = args.quick;
const params = {
  quick,
  rounds: Math.round(positive('rounds', args.rounds, quick ? 2 : 5)),
  windowSeconds: positive('window', args.window, quick ? 0.5 : 2),
  baselineWindowSeconds: positive('baseline-window', args['baseline-window'], quick ? 0.5 : 2),
  fixedRatePerSecond: positive('fixed-rate', args['fixed-rate'], 20),
  fixedWindowSeconds: positive('fixed-window', args['fixed-window'], quick ? 1.5 : 6),
  connections: Math.round(positive('connections', args.connections, 10)),
  warmupWindowSeconds: positive('warmup-window', args['warmup-window'], quick ? 0.5 : 2),
  warmupMaxWindows: Math.round(positive('warmup-max', args['warmup-max'], quick ? 2 : 5)),
  warmupTolerance: 0.05,
  rewarmSeconds: nonNegative('rewarm', args.rewarm, quick ? 0 : 0.5),
  memoryRequests: Math.round(positive('memory-requests', args['memory-requests'], quick ? 150 : 2000)),
  memorySamples: Math.round(positive('memory-samples', args['memory-samples'], quick ? 2 : 5)),
  driftBound: positive('drift-bound', args['drift-bound'], 1.25),
  upstreamLatencyMs: Number(args['upstream-latency']),
  logLevel: args['log-level'],
  boundUsers: Math.round(positive('bound-users', args['bound-users'], 40)),
  pendingUsers: Math.round(positive('pending-users', args['pending-users'], 10)),
};
const stores = args.stores.split(',').map((s) => s.trim());
for (const s of stores) if (s !== 'pglite' && s !== 'postgres') throw new Error(`--stores: unknown store "${s}"`);
const known = scenarioNames();
const wanted = args.scenarios ? args.scenarios.split(',').map((s) => s.trim()) : known;
const unknown = wanted.filter((w) => !known.includes(w));
if (unknown.length > 0) throw new Error(`Unknown scenario(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
const profileDir = args.profile ? path.resolve(ROOT, args.profile) : undefined;
// A profiled run is slowed by the sampler: its figures never replace the committed results.
const outFile = path.resolve(
  ROOT,
  args.out ?? (profileDir ? path.join(profileDir, 'results.json') : 'bench/results.json'),
);

/**
 * Titles to create so that purchases never run out of new (user, title) pairs: a generous guess at the closed
 * loop's purchase rate over the warm-up, the rounds and the memory phase, plus the fixed-rate windows.
 */
function titlesNeeded(): number {
  const closedRate = 400;
  const warmup = params.warmupMaxWindows * params.warmupWindowSeconds * closedRate;
  const rounds =
    params.rounds *
    ((params.windowSeconds + 2 * params.rewarmSeconds) * closedRate +
      params.fixedWindowSeconds * params.fixedRatePerSecond);
  const total = warmup + rounds + params.memoryRequests * 1.1;
  return Math.min(3000, Math.ceil(total / params.boundUsers));
}

const MB = 1024 * 1024;
const startedAt = performance.now();
const log = (text: string) =>
  process.stderr.write(`[${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);

// ---------------------------------------------------------------------------------------------------------------
// Processes

interface Ready {
  url: string;
  control: string;
}

interface Target {
  /** `pglite`, `postgres`, `pglite@before`, … */
  readonly id: string;
  readonly store: 'pglite' | 'postgres';
  readonly build: 'current' | 'before';
  readonly child: Child<Ready & { jwtSecret: string }>;
  readonly database?: { server: PostgresServer; db: ThrowawayDatabase; name: string; measurable: boolean };
  fixtures?: Fixtures;
  purchase?: PurchaseSource;
  scenarios?: Scenario[];
}

interface SandboxStats {
  token: number;
  getrecord: number;
  license: number;
}

interface MemoryReading {
  rss: number;
  heapUsed: number;
  collected: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// One measured window

interface Window {
  readonly round: number;
  /** `baseline` or `<target id>/<scenario>`. */
  readonly key: string;
  readonly requestsPerSecond: number;
  readonly handled: number;
  readonly completed: number;
  readonly cpuMsPerRequest: { server: number; postgres: number | null; sandbox: number; loadGenerator: number } | null;
  readonly otherCpuPct: number | null;
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Open loop only: every answered request's latency from its scheduled send time. */
  readonly latencySamplesMs?: number[];
  readonly maxSendLagMs?: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly graphqlErrors: number;
  readonly refused: number;
  readonly firstError?: string;
  readonly upstream: { token: number; getrecord: number } | null;
}

const perRequest = (seconds: number | undefined, handled: number): number =>
  handled > 0 && seconds !== undefined ? round((seconds * 1000) / handled, 3) : 0;

function cpuPerRequest(reading: CpuReading | null, handled: number, withPostgres: boolean) {
  if (!reading) return null;
  return {
    server: perRequest(reading.groupSeconds.server, handled),
    postgres: withPostgres ? perRequest(reading.groupSeconds.postgres, handled) : null,
    sandbox: perRequest(reading.groupSeconds.sandbox, handled),
    loadGenerator: perRequest(reading.groupSeconds.loadGenerator, handled),
  };
}

/** The target still finishes requests abandoned at a closed loop's deadline; their upstream calls must land first. */
const settle = (maxLatencyMs: number, upstream: boolean): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, upstream ? Math.min(3000, Math.max(100, 2 * maxLatencyMs)) : 20));

async function sendOne(url: string, source: RequestSource): Promise<void> {
  const { body, token } = source.next();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok || text.includes('"errors"')) throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
}

async function measureWindow(
  roundNo: number,
  key: string,
  run: { url: string; pid: number; source: RequestSource; loop: 'closed' | 'open'; seconds: number; upstream: boolean },
  context: { sandbox: Child<Ready>; target?: Target; profileFile?: string; control?: string },
): Promise<Window> {
  const { sandbox, target } = context;
  const pg = target?.database?.measurable ? target.database : undefined;
  const pgPids = pg ? await backendPids(pg.server.url, pg.name) : [];
  const groups: PidGroups = {
    server: [run.pid],
    postgres: pgPids,
    sandbox: [sandbox.pid],
    loadGenerator: [process.pid],
  };
  if (context.profileFile && context.control) await getJson(`${context.control}/bench/profile/start`);
  const before = await getJson<SandboxStats>(`${sandbox.ready.control}/bench/stats`);
  const meter = startCpuMeter(groups);

  let closed: ClosedLoopResult | undefined;
  let latencySamplesMs: number[] | undefined;
  let maxSendLagMs: number | undefined;
  let completed: number;
  let handled: number;
  let requestsPerSecond: number;
  let latencyMs: Window['latencyMs'];
  let errors = 0;
  let firstError: string | undefined;
  if (run.loop === 'closed') {
    closed = await closedLoop(run.url, run.source, { connections: params.connections, durationSeconds: run.seconds });
    await settle(closed.latencyMs.max, run.upstream);
    completed = closed.completed;
    handled = closed.completed + closed.abandoned;
    requestsPerSecond = closed.requestsPerSecond;
    latencyMs = closed.latencyMs;
    errors = closed.errors;
    firstError = closed.firstError;
  } else {
    const result = await openLoop({
      ratePerSecond: params.fixedRatePerSecond,
      durationMs: run.seconds * 1000,
      send: () => sendOne(run.url, run.source),
    });
    completed = result.latenciesMs.length;
    handled = result.scheduled;
    requestsPerSecond = completed / (result.elapsedMs / 1000);
    latencySamplesMs = result.latenciesMs.map((l) => round(l, 2));
    maxSendLagMs = round(result.maxSendLagMs, 1);
    const summary = latencySummary(result.latenciesMs);
    latencyMs = { p50: summary.p50, p90: summary.p90, p99: summary.p99, max: summary.max };
    errors = result.failures;
    firstError = result.firstFailure;
  }
  const laterPg = pg ? await backendPids(pg.server.url, pg.name) : [];
  const reading = meter.stop({ postgres: laterPg });
  const after = await getJson<SandboxStats>(`${sandbox.ready.control}/bench/stats`);
  if (context.profileFile && context.control) {
    await getJson(`${context.control}/bench/profile/stop?file=${encodeURIComponent(context.profileFile)}`);
  }
  return {
    round: roundNo,
    key,
    requestsPerSecond: round(requestsPerSecond, 1),
    handled,
    completed,
    cpuMsPerRequest: cpuPerRequest(reading, handled, pg !== undefined),
    otherCpuPct: reading?.otherPct ?? null,
    latencyMs,
    ...(latencySamplesMs ? { latencySamplesMs, maxSendLagMs } : {}),
    errors,
    non2xx: closed?.non2xx ?? 0,
    graphqlErrors: closed?.graphqlErrors ?? 0,
    refused: closed?.refused ?? 0,
    ...(firstError ? { firstError } : {}),
    upstream: target ? { token: after.token - before.token, getrecord: after.getrecord - before.getrecord } : null,
  };
}

/** Short closed-loop windows until two in a row agree within the tolerance, or the cap. */
async function warmUp(url: string, source: RequestSource, upstream: boolean): Promise<number[]> {
  const windows: number[] = [];
  while (windows.length < params.warmupMaxWindows && !isStable(windows, params.warmupTolerance)) {
    const r = await closedLoop(url, source, {
      connections: params.connections,
      durationSeconds: params.warmupWindowSeconds,
    });
    await settle(r.latencyMs.max, upstream);
    windows.push(round(r.requestsPerSecond, 1));
  }
  return windows;
}

/**
 * An unmeasured burst of the scenario just before its window. Between two windows of one target the other targets'
 * windows run (twice as many in a comparison), and a service that has idled that long starts its window cold: on the
 * purchase, a comparison read a third more CPU per request than a run of one target (2.02 against 1.47 ms) and a
 * worse p99 at 20 req/s (35.6 against 31 ms); with this, 1.65 ms and 31.2 ms (bench/README.md). The window then
 * measures steady traffic; `--rewarm 0` measures a service woken from idle.
 */
async function rewarm(url: string, source: RequestSource, upstream: boolean): Promise<void> {
  if (params.rewarmSeconds === 0) return;
  const r = await closedLoop(url, source, { connections: params.connections, durationSeconds: params.rewarmSeconds });
  await settle(r.latencyMs.max, upstream);
}

/** Requests in chunks with a forced-GC sample after each: memory against request counts, not seconds. */
async function memoryOverRequests(target: Target, scenario: Scenario) {
  const step = Math.max(1, Math.round(params.memoryRequests / params.memorySamples));
  const take = async (requests: number) => {
    const m = await getJson<MemoryReading>(`${target.child.ready.control}/bench/gc`);
    return { requests, heapUsedMB: round(m.heapUsed / MB, 1), rssMB: round(m.rss / MB, 1), collected: m.collected };
  };
  const samples = [await take(0)];
  let done = 0;
  let errors = 0;
  for (let i = 0; i < params.memorySamples; i += 1) {
    const r = await closedLoop(target.child.ready.url, scenario.source, {
      connections: params.connections,
      amount: step,
    });
    await settle(r.latencyMs.max, scenario.upstream);
    done += r.completed;
    errors += r.errors + r.non2xx + r.graphqlErrors;
    samples.push(await take(done));
  }
  // Drift from the sample after the first chunk: the first GC after the rounds still gives back what they left.
  const settled = samples.length > 2 ? samples.slice(1) : samples;
  return {
    requests: done,
    errors,
    heapDriftPct: driftPct(settled.map((s) => s.heapUsedMB)),
    rssDriftPct: driftPct(settled.map((s) => s.rssMB)),
    heapTrendPct: trendPct(settled.map((s) => ({ x: s.requests, y: s.heapUsedMB }))),
    rssTrendPct: trendPct(settled.map((s) => ({ x: s.requests, y: s.rssMB }))),
    driftFromRequests: settled[0].requests,
    forcedGc: samples.every((s) => s.collected),
    samples: samples.map(({ collected: _collected, ...s }) => s),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Summaries

function summarize(
  target: Target,
  scenario: Scenario,
  windows: readonly Window[],
  ratios: readonly (number | null)[],
  cpuRatios: readonly (number | null)[],
): ScenarioReport {
  const valid = (xs: readonly (number | null)[]) => xs.filter((x): x is number => x !== null);
  const sum = (f: (w: Window) => number) => windows.reduce((a, w) => a + f(w), 0);
  const handled = sum((w) => w.handled);
  const token = sum((w) => w.upstream?.token ?? 0);
  const getrecord = sum((w) => w.upstream?.getrecord ?? 0);
  const cpu = (f: (c: NonNullable<Window['cpuMsPerRequest']>) => number | null) =>
    windows.every((w) => w.cpuMsPerRequest && f(w.cpuMsPerRequest) !== null)
      ? spread(windows.map((w) => f(w.cpuMsPerRequest!)!))
      : null;
  const open = scenario.loop === 'open';
  const latency = open
    ? latencySummary(windows.flatMap((w) => w.latencySamplesMs ?? []))
    : {
        // A closed loop's latencies are queueing behind the other connections: the median over rounds.
        p50: round(median(windows.map((w) => w.latencyMs.p50)), 1),
        p90: round(median(windows.map((w) => w.latencyMs.p90)), 1),
        p99: round(median(windows.map((w) => w.latencyMs.p99)), 1),
        max: Math.max(...windows.map((w) => w.latencyMs.max)),
        samples: windows.reduce((a, w) => a + w.completed, 0),
      };
  const checks: string[] = [];
  const tokenPerRequest = handled > 0 ? round(token / handled, 3) : 0;
  const getrecordPerRequest = handled > 0 ? round(getrecord / handled, 3) : 0;
  if (scenario.expect?.getrecordPerRequest !== undefined && getrecord !== scenario.expect.getrecordPerRequest * handled)
    checks.push(
      `${getrecord} getrecord for ${handled} requests (expected ${scenario.expect.getrecordPerRequest} per request)`,
    );
  if (scenario.expect?.tokenPerRequest !== undefined && token !== scenario.expect.tokenPerRequest * handled)
    checks.push(`${token} token requests for ${handled} requests (expected ${scenario.expect.tokenPerRequest} each)`);
  const errors = sum((w) => w.errors);
  const gqlErrors = sum((w) => w.graphqlErrors);
  const non2xx = sum((w) => w.non2xx);
  const refused = sum((w) => w.refused);
  const completed = sum((w) => w.completed);
  if (scenario.source.refusedWith) {
    if (refused < completed || gqlErrors > 0 || errors > 0)
      checks.push(`${refused} of ${completed} refused with ${scenario.source.refusedWith}, ${gqlErrors} other errors`);
  } else if (errors + gqlErrors + non2xx > 0) {
    checks.push(`${errors} failed, ${non2xx} non-2xx, ${gqlErrors} GraphQL errors`);
  }
  const firstError = windows.find((w) => w.firstError)?.firstError;
  return {
    name: `${scenario.name}${target.store === 'postgres' ? '-postgres' : ''}`,
    scenario: scenario.name,
    title: scenario.title,
    store: target.store,
    build: target.build,
    description: scenario.description,
    loop: scenario.loop,
    ...(open ? { ratePerSecond: params.fixedRatePerSecond } : {}),
    ratioToBaseline: { ...spread(open ? valid(cpuRatios) : valid(ratios)), basis: open ? 'cpu' : 'throughput' },
    cpuRatioToBaseline: spread(valid(cpuRatios)),
    requestsPerSecond: spread(
      windows.map((w) => w.requestsPerSecond),
      1,
    ),
    cpuMsPerRequest: {
      target: cpu((c) => c.server),
      postgres: cpu((c) => c.postgres),
      sandbox: cpu((c) => c.sandbox),
      loadGenerator: cpu((c) => c.loadGenerator),
    },
    latencyMs: latency,
    ...(open ? { maxSendLagMs: Math.max(...windows.map((w) => w.maxSendLagMs ?? 0)) } : {}),
    upstream: { token, getrecord, requestsHandled: handled, tokenPerRequest, getrecordPerRequest },
    ...(scenario.source === target.purchase
      ? { insertPath: { inserts: target.purchase.inserts(), repeats: target.purchase.repeats() } }
      : {}),
    errors,
    non2xx,
    graphqlErrors: gqlErrors,
    ...(scenario.source.refusedWith ? { refusedWith: scenario.source.refusedWith, refused } : {}),
    ...(firstError && checks.length > 0 ? { firstError } : {}),
    otherCpuPct: spread(
      windows.map((w) => w.otherCpuPct ?? 0),
      1,
    ),
    checks,
    rounds: windows.map((w, i) => ({
      round: w.round,
      requestsPerSecond: w.requestsPerSecond,
      ratioToBaseline: ratios[i] === null ? null : round(ratios[i], 3),
      cpuMsPerRequest: w.cpuMsPerRequest,
      latencyMs: w.latencyMs,
      otherCpuPct: w.otherCpuPct,
    })),
    memory: null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The run

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'entitlement-bench-'));
  const children: Array<Child<unknown>> = [];
  const databases: ThrowawayDatabase[] = [];
  let postgres: PostgresServer | undefined;
  let compare: CompareTree | undefined;
  const stopAll = async () => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
    await closeBackendListers();
    for (const db of databases.splice(0)) await db.drop().catch(() => undefined);
    await postgres?.stop();
    postgres = undefined;
    await compare?.remove();
    await rm(tmp, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the benchmark's processes\n`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = performance.now();

  try {
    log('bench: building (npm run build, bench/tsconfig.children.json)');
    const dist = await buildTree(ROOT);
    if (args.compare) {
      log(`bench: building ${args.compare} in a temporary git worktree for before/after`);
      compare = await buildCompareTree(ROOT, args.compare);
    }

    const baseEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      NODE_ENV: 'production',
      // glibc's allocator settings, to tell allocator retention from growth in the memory phase's RSS.
      ...(process.env.MALLOC_ARENA_MAX && { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX }),
    };
    log(`bench: starting sandbox (upstream latency ${params.upstreamLatencyMs} ms) and baseline`);
    const sandbox = await startChild<Ready & { customerAuthenticator: string }>(
      'sandbox',
      path.join(dist, 'bench/sandbox.js'),
      { cwd: ROOT, env: { ...baseEnv, BENCH_UPSTREAM_LATENCY_MS: String(params.upstreamLatencyMs) } },
    );
    children.push(sandbox);
    const baseline = await startChild<Ready>('baseline', path.join(dist, 'bench/baseline.js'), {
      cwd: ROOT,
      env: { ...baseEnv, LOG_LEVEL: params.logLevel, BENCH_LOG_FILE: path.join(tmp, 'baseline.log') },
      nodeFlags: ['--expose-gc'],
    });
    children.push(baseline);

    let postgresSkipped: string | undefined;
    if (stores.includes('postgres')) {
      const resolved = await resolvePostgres(args['database-url'], log);
      if ('skipped' in resolved) {
        postgresSkipped = resolved.skipped;
        log(`bench: SKIPPING the -postgres scenarios: ${resolved.skipped}`);
      } else {
        postgres = resolved;
      }
    }

    const builds: Array<{ build: 'current' | 'before'; dist: string; cwd: string }> = [
      { build: 'current', dist, cwd: ROOT },
      ...(compare ? [{ build: 'before' as const, dist: compare.dist, cwd: path.dirname(compare.dist) }] : []),
    ];
    const targets: Target[] = [];
    for (const b of builds) {
      for (const store of stores as Array<'pglite' | 'postgres'>) {
        if (store === 'postgres' && !postgres) continue;
        const id = `${store}${b.build === 'before' ? '@before' : ''}`;
        let database: Target['database'];
        if (store === 'postgres' && postgres) {
          const db = await createThrowawayDatabase(postgres.url);
          databases.push(db);
          const name = new URL(db.url).pathname.slice(1);
          database = { server: postgres, db, name, measurable: true };
        }
        const jwtSecret = randomBytes(32).toString('hex');
        log(`bench: starting target ${id} (node ${path.relative(ROOT, path.join(b.dist, 'bench/target.js'))})`);
        const child = await startChild<Ready & { jwtSecret: string }>(
          `target ${id}`,
          path.join(b.dist, 'bench/target.js'),
          {
            cwd: b.cwd,
            env: {
              ...baseEnv,
              HOST: '127.0.0.1',
              PORT: '0',
              DATA_DIR: path.join(tmp, `data-${id}`),
              ...(database ? { DATABASE_URL: database.db.url } : {}),
              BENCH_LOG_FILE: path.join(tmp, `target-${id}.log`),
              LOG_LEVEL: params.logLevel,
              AUTH_JWT_SECRET: jwtSecret,
              CONTENT_KEY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
              EXPRESSPLAY_TOKEN_BASE: sandbox.ready.url,
              EXPRESSPLAY_API_BASE: sandbox.ready.url,
              EXPRESSPLAY_CUSTOMER_AUTHENTICATOR: sandbox.ready.customerAuthenticator,
              // Limits per user would refuse the bench's few users long before the service is busy.
              RATE_LIMIT_PER_MINUTE: '1000000000',
              UPSTREAM_CALLS_PER_MINUTE: '1000000000',
              DEVICE_SWAP_COOLDOWN: '0',
            },
            nodeFlags: ['--expose-gc'],
          },
        );
        children.push(child);
        targets.push({ id, store, build: b.build, child, database });
      }
    }

    const titles = wanted.some((w) => w.startsWith('purchase')) ? titlesNeeded() : 0;
    for (const target of targets) {
      log(
        `bench: setup ${target.id}: ${params.boundUsers} BOUND users, ${params.pendingUsers} PENDING, ${titles} extra titles`,
      );
      target.fixtures = await createFixtures(target.child.ready.url, target.child.ready.jwtSecret, {
        bound: params.boundUsers,
        pending: params.pendingUsers,
        titles,
      });
      target.purchase = purchases(target.fixtures);
      target.scenarios = makeScenarios(target.fixtures, target.purchase, params.fixedRatePerSecond).filter((s) =>
        wanted.includes(s.name),
      );
      if (target.database) {
        const pids = await backendPids(target.database.server.url, target.database.name);
        target.database.measurable = pids.length > 0 && pids.every(visibleInProc);
        if (!target.database.measurable)
          log(`bench: ${target.id}: PostgreSQL's backends are not visible in /proc; their CPU is not reported`);
      }
    }
    if (profileDir) await mkdir(profileDir, { recursive: true });

    // Warm-up: the baseline, then each target's closed-loop scenarios (the fixed-rate one shares purchase's path).
    const warmups: Record<string, number[]> = {};
    log('bench: warm-up until two successive windows agree within 5 %');
    warmups.baseline = await warmUp(baseline.ready.url, BASELINE_SOURCE, false);
    for (const target of targets) {
      for (const scenario of target.scenarios!) {
        if (scenario.loop === 'open') continue;
        warmups[`${target.id}/${scenario.name}`] = await warmUp(
          target.child.ready.url,
          scenario.source,
          scenario.upstream,
        );
      }
    }
    for (const [key, windows] of Object.entries(warmups)) {
      const stable = isStable(windows, params.warmupTolerance);
      log(`  ${key}: ${windows.join(' > ')} req/s${stable ? '' : ' (cap reached, not stable)'}`);
    }

    // Rounds: baseline, then each (scenario, target) with the baseline again after it.
    const sequence: Array<{ target: Target; scenario: Scenario }> = [];
    for (const name of wanted)
      for (const target of targets) {
        const scenario = target.scenarios!.find((s) => s.name === name);
        if (scenario) sequence.push({ target, scenario });
      }
    const windowsByKey = new Map<string, Window[]>();
    const ratiosByKey = new Map<string, Array<number | null>>();
    const cpuRatiosByKey = new Map<string, Array<number | null>>();
    const baselineWindows: Window[] = [];
    const baselinePerRound: number[] = [];
    for (let r = 1; r <= params.rounds; r += 1) {
      const roundStarted = performance.now();
      const measureBaseline = () =>
        measureWindow(
          r,
          'baseline',
          {
            url: baseline.ready.url,
            pid: baseline.pid,
            source: BASELINE_SOURCE,
            loop: 'closed',
            seconds: params.baselineWindowSeconds,
            upstream: false,
          },
          { sandbox },
        );
      let previous = await measureBaseline();
      const roundBaselines = [previous];
      for (const { target, scenario } of sequence) {
        const key = `${target.id}/${scenario.name}`;
        const profileFile =
          profileDir && r === params.rounds
            ? path.join(profileDir, `${target.id}-${scenario.name}.cpuprofile`)
            : undefined;
        await rewarm(target.child.ready.url, scenario.source, scenario.upstream);
        const w = await measureWindow(
          r,
          key,
          {
            url: target.child.ready.url,
            pid: target.child.pid,
            source: scenario.source,
            loop: scenario.loop,
            seconds: scenario.loop === 'open' ? params.fixedWindowSeconds : params.windowSeconds,
            upstream: scenario.upstream,
          },
          { sandbox, target, profileFile, control: target.child.ready.control },
        );
        const next = await measureBaseline();
        roundBaselines.push(next);
        const ratio =
          scenario.loop === 'open'
            ? null
            : ratioToAdjacent(w.requestsPerSecond, previous.requestsPerSecond, next.requestsPerSecond);
        const baseCpu = [previous, next]
          .map((b) => b.cpuMsPerRequest?.server)
          .filter((c): c is number => c !== undefined && c > 0);
        const cpuRatio =
          baseCpu.length > 0 && w.cpuMsPerRequest && w.cpuMsPerRequest.server > 0
            ? baseCpu.reduce((a, b) => a + b, 0) / baseCpu.length / w.cpuMsPerRequest.server
            : null;
        windowsByKey.set(key, [...(windowsByKey.get(key) ?? []), w]);
        ratiosByKey.set(key, [...(ratiosByKey.get(key) ?? []), ratio]);
        cpuRatiosByKey.set(key, [...(cpuRatiosByKey.get(key) ?? []), cpuRatio]);
        previous = next;
      }
      baselineWindows.push(...roundBaselines);
      baselinePerRound.push(median(roundBaselines.map((b) => b.requestsPerSecond)));
      log(
        `bench: round ${r}/${params.rounds} in ${((performance.now() - roundStarted) / 1000).toFixed(0)} s, baseline median ${round(baselinePerRound.at(-1)!, 0)} req/s`,
      );
    }

    // Memory over request counts, forced GC before each sample (the current build only).
    const memory: Record<string, Awaited<ReturnType<typeof memoryOverRequests>>> = {};
    for (const target of targets.filter((t) => t.build === 'current')) {
      for (const scenario of target.scenarios!.filter((s) => s.memory)) {
        const name = `${scenario.name}${target.store === 'postgres' ? '-postgres' : ''}`;
        log(
          `bench: memory ${name}: ${params.memoryRequests} requests, GC + sample every ${Math.round(params.memoryRequests / params.memorySamples)}`,
        );
        memory[name] = await memoryOverRequests(target, scenario);
      }
    }

    // Report.
    const reports: TargetReport[] = targets.map((target) => ({
      id: target.id,
      store: target.store,
      build: target.build,
      scenarios: target.scenarios!.map((scenario) => {
        const key = `${target.id}/${scenario.name}`;
        const report = summarize(
          target,
          scenario,
          windowsByKey.get(key) ?? [],
          ratiosByKey.get(key) ?? [],
          cpuRatiosByKey.get(key) ?? [],
        );
        return target.build === 'current' ? { ...report, memory: memory[report.name] ?? null } : report;
      }),
    }));
    const drift = baselineDrift(baselinePerRound, params.driftBound);
    const problems = reports.flatMap((t) =>
      t.scenarios
        .filter((s) => s.checks.length > 0)
        .map((s) => `${t.id} ${s.scenario}: ${s.checks.join('; ')}${s.firstError ? ` (${s.firstError})` : ''}`),
    );
    const decision = writeDecision(drift, args.force, problems);
    const baselineSummary = {
      requestsPerSecond: spread(
        baselineWindows.map((w) => w.requestsPerSecond),
        1,
      ),
      perRoundMedianRps: baselinePerRound.map((v) => round(v, 1)),
      cpuMsPerRequest: spread(baselineWindows.map((w) => w.cpuMsPerRequest?.server ?? 0)),
      drift,
    };
    const current = reports.filter((r) => r.build === 'current');
    const before = reports.filter((r) => r.build === 'before');
    const markdown = markdownTable({
      current,
      before,
      baselineCpuMs: baselineSummary.cpuMsPerRequest.median,
      fixedRate: params.fixedRatePerSecond,
      compareRef: compare ? `${compare.ref} (${compare.commit})` : undefined,
    });
    const git = await gitState(ROOT);
    const elapsedSeconds = round((performance.now() - started) / 1000, 0);

    await stopAll();

    process.stdout.write(`\n${consoleTable(reports, baselineSummary)}\n\n${markdown}\n\n`);
    for (const p of problems) process.stdout.write(`! ${p}\n`);
    const busy = reports.flatMap((t) =>
      t.scenarios.filter((s) => s.otherCpuPct.median > 10).map((s) => `${t.id} ${s.scenario} ${s.otherCpuPct.median}%`),
    );
    if (busy.length > 0)
      process.stdout.write(
        `! Other processes used more than 10% of the CPUs (median over rounds) during: ${busy.join(', ')}. Figures are noisy.\n`,
      );
    if (postgresSkipped) process.stdout.write(`! -postgres scenarios skipped: ${postgresSkipped}\n`);

    const report = {
      date: new Date().toISOString(),
      machine: {
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
        cores: os.cpus().length,
        availableParallelism: os.availableParallelism(),
        totalMemoryMB: Math.round(os.totalmem() / MB),
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        node: process.version,
        loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)),
      },
      git,
      elapsedSeconds,
      ...(decision.forced ? { forced: true, refusedBecause: decision.reason } : {}),
      parameters: {
        ...params,
        stores,
        scenarios: wanted,
        profiled: profileDir !== undefined,
        titlesCreated: titles,
        loadGenerator: 'autocannon 8 (closed loop) and an open-loop scheduler on fetch, in the parent process',
      },
      processes: {
        build:
          'npm run build (dist/src) and bench/tsconfig.children.json (dist/bench); every server runs as node dist/...',
        target:
          'dist/bench/target.js: loadConfig + startApp, NODE_ENV=production, LOG_LEVEL to a temp file (async pino), --expose-gc',
        baseline:
          'dist/bench/baseline.js: Apollo Server 5 + express 5 + express.json(), type Query { hello: String }, one pino line per request at the same LOG_LEVEL',
        baselineLeavesOut:
          'a request id, its header and a child logger; trusted-documents, batch and query-limit middleware; Apollo plugins (metrics, error log, token challenge); authentication, context, loaders, resolvers, the store and ExpressPlay',
        baselineHasAndTargetSkips:
          "Express's router, body parser and response helpers, and Apollo's default cache-control plugin: the service answers a plain JSON POST /graphql without Express (src/http/graphql-fast-path.ts) and turns cache control off, so a ratio above 1 is the price of that stack, not a measurement error",
        sandbox: `dist/bench/sandbox.js: ExpressPlay sandbox in its own process, ${params.upstreamLatencyMs} ms on token and getrecord`,
        postgres: postgres ? postgres.source : (postgresSkipped ?? 'not asked for'),
      },
      ...(compare ? { compare: { ref: compare.ref, commit: compare.commit } } : {}),
      warmupWindowsRps: warmups,
      baseline: baselineSummary,
      scenarios: current.flatMap((t) => t.scenarios),
      ...(before.length > 0 ? { before: before.flatMap((t) => t.scenarios) } : {}),
      markdownTable: markdown,
    };

    const minutes = (elapsedSeconds / 60).toFixed(1);
    if (!decision.write) {
      process.stdout.write(`! ${decision.message}\nRun took ${minutes} min.\n`);
      process.exitCode = 2;
      return;
    }
    await mkdir(path.dirname(outFile), { recursive: true });
    await writeFile(outFile, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(
      `${decision.message ? `! ${decision.message}\n` : ''}` +
        `x bare Apollo = req/s over the mean of the baseline windows just before and after, median [min-max] of ${params.rounds} rounds; ` +
        `baseline per-round max/min ${drift.maxOverMin} (bound ${params.driftBound}). Upstream latency ${params.upstreamLatencyMs} ms. ` +
        `${os.cpus()[0]?.model.trim()}, ${os.cpus().length} cores, Node ${process.version}. Run took ${minutes} min.\n` +
        `Written to ${path.relative(ROOT, outFile)}${profileDir ? `; CPU profiles in ${path.relative(ROOT, profileDir)}` : ''}\n`,
    );
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
