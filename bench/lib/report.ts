/**
 * The bench's output: one line per scenario and target on stdout, and a markdown table in the shape of issue 10's
 * (x bare Apollo and CPU per request, PGlite and PostgreSQL side by side; before → after with BENCH_COMPARE).
 */
import type { Spread } from './stats.js';

export interface ScenarioReport {
  /** `deviceBinding`, `deviceBinding-postgres`, `purchase-fixed-rate`, … */
  readonly name: string;
  readonly scenario: string;
  readonly title: string;
  readonly store: 'pglite' | 'postgres';
  readonly build: 'current' | 'before';
  readonly description: string;
  readonly loop: 'closed' | 'open';
  readonly ratePerSecond?: number;
  /** Throughput over the adjacent baselines; for the open loop (fixed rate) the CPU-based ratio instead. */
  readonly ratioToBaseline: Spread & { basis: 'throughput' | 'cpu' };
  /** The baseline's CPU ms per request over the target's: how many requests a CPU second serves, relatively. */
  readonly cpuRatioToBaseline: Spread;
  readonly requestsPerSecond: Spread;
  readonly cpuMsPerRequest: {
    target: Spread | null;
    postgres: Spread | null;
    sandbox: Spread | null;
    loadGenerator: Spread | null;
  };
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number; samples: number };
  readonly maxSendLagMs?: number;
  readonly upstream: {
    token: number;
    getrecord: number;
    requestsHandled: number;
    tokenPerRequest: number;
    getrecordPerRequest: number;
  };
  readonly insertPath?: { inserts: number; repeats: number };
  readonly errors: number;
  readonly non2xx: number;
  readonly graphqlErrors: number;
  readonly refusedWith?: string;
  readonly refused?: number;
  readonly firstError?: string;
  readonly otherCpuPct: Spread;
  /** What went wrong (errors, unexpected upstream calls); empty when all is well. */
  readonly checks: string[];
  readonly rounds: unknown[];
  readonly memory: {
    requests: number;
    errors: number;
    heapDriftPct: number;
    rssDriftPct: number;
    /** The same along the least-squares line through the samples (stats.ts trendPct): the verdict's figure. */
    heapTrendPct: number;
    rssTrendPct: number;
    /** The request count of the sample the drift is measured from. */
    driftFromRequests: number;
    forcedGc: boolean;
    samples: Array<{ requests: number; heapUsedMB: number; rssMB: number }>;
  } | null;
}

export interface TargetReport {
  readonly id: string;
  readonly store: 'pglite' | 'postgres';
  readonly build: 'current' | 'before';
  readonly scenarios: ScenarioReport[];
}

const f = (n: number | undefined | null, digits = 2): string =>
  n === undefined || n === null || !Number.isFinite(n) ? '-' : n.toFixed(digits);

export function consoleTable(
  targets: readonly TargetReport[],
  baseline: { requestsPerSecond: Spread; cpuMsPerRequest: Spread; perRoundMedianRps: readonly number[] },
): string {
  const head = [
    'target',
    'scenario',
    'x base [min-max]',
    'req/s',
    'CPU ms/req',
    '+pg',
    '+sandbox',
    'p50',
    'p99',
    'max',
    'tok/req',
    'getrec/req',
    'heap/RSS trend',
    'other CPU',
  ];
  const rows = [
    [
      'baseline',
      '{ hello }',
      '1.00',
      f(baseline.requestsPerSecond.median, 0),
      f(baseline.cpuMsPerRequest.median, 3),
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
    ],
    ...targets.flatMap((t) =>
      t.scenarios.map((s) => [
        t.id,
        s.scenario,
        `${f(s.ratioToBaseline.median, 3)}${s.ratioToBaseline.basis === 'cpu' ? 'c' : ''} [${f(s.ratioToBaseline.min, 3)}-${f(s.ratioToBaseline.max, 3)}]`,
        f(s.requestsPerSecond.median, 0),
        f(s.cpuMsPerRequest.target?.median, 3),
        f(s.cpuMsPerRequest.postgres?.median, 3),
        f(s.cpuMsPerRequest.sandbox?.median, 3),
        f(s.latencyMs.p50, 1),
        f(s.latencyMs.p99, 1),
        f(s.latencyMs.max, 0),
        f(s.upstream.tokenPerRequest, 2),
        f(s.upstream.getrecordPerRequest, 2),
        s.memory ? `${s.memory.heapTrendPct}% / ${s.memory.rssTrendPct}%` : '-',
        `${f(s.otherCpuPct.median, 1)}%`,
      ]),
    ),
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    line(head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    `x base: throughput ratio to the adjacent baselines; "c" marks the fixed-rate scenario's CPU-based ratio ` +
      `(baseline CPU ms/req over the target's). Baseline per-round median req/s: ${baseline.perRoundMedianRps.join(', ')}.`,
  ].join('\n');
}

/** The issue's table: rows by scenario, PGlite and PostgreSQL columns; "before → after" cells with a comparison. */
export function markdownTable(input: {
  current: readonly TargetReport[];
  before: readonly TargetReport[];
  baselineCpuMs: number;
  fixedRate: number;
  compareRef?: string;
}): string {
  const find = (targets: readonly TargetReport[], store: string, scenario: string) =>
    targets.find((t) => t.store === store)?.scenarios.find((s) => s.scenario === scenario);
  const ratio = (s: ScenarioReport | undefined) =>
    s ? `${f(s.ratioToBaseline.median)} (${f(s.ratioToBaseline.min)}-${f(s.ratioToBaseline.max)})` : '';
  const cpu = (s: ScenarioReport | undefined, withServer: boolean) => {
    if (!s) return '';
    const server = s.cpuMsPerRequest.postgres?.median;
    return `${f(s.cpuMsPerRequest.target?.median)}${withServer && server !== undefined ? ` (+${f(server)})` : ''}`;
  };
  const latency = (s: ScenarioReport | undefined) =>
    s ? `p50 ${f(s.latencyMs.p50, 0)} / p99 ${f(s.latencyMs.p99, 0)} ms` : '';
  const cell = (render: (s: ScenarioReport | undefined) => string, store: string, scenario: string) => {
    const after = render(find(input.current, store, scenario));
    if (input.before.length === 0) return after;
    const was = render(find(input.before, store, scenario));
    return was || after ? `${was || '-'} → ${after || '-'}` : '';
  };
  const scenarios = [
    ...new Set([...input.current, ...input.before].flatMap((t) => t.scenarios.map((s) => s.scenario))),
  ];
  const title = (scenario: string) =>
    [...input.current, ...input.before].flatMap((t) => t.scenarios).find((s) => s.scenario === scenario)?.title ??
    scenario;
  // The fixed-rate row shows latency (what it measures) and the CPU-based ratio (its throughput is fixed).
  const openCell = (s: ScenarioReport | undefined) => (s ? `${latency(s)}; ${ratio(s)}` : '');
  const rows = scenarios.map((scenario) => {
    const main = scenario === 'purchase-fixed-rate' ? openCell : ratio;
    const label = `${title(scenario)}${scenario === 'purchase-fixed-rate' ? ' (latency; CPU ratio)' : ''}`;
    return `| ${label} | ${cell(main, 'pglite', scenario)} | ${cell((s) => cpu(s, false), 'pglite', scenario)} | ${cell(main, 'postgres', scenario)} | ${cell((s) => cpu(s, true), 'postgres', scenario)} |`;
  });
  return [
    input.compareRef ? `Before (${input.compareRef}) → after, in one run.` : '',
    '| scenario | PGlite: x bare Apollo | CPU ms/req | PostgreSQL: x bare Apollo | CPU ms/req (+server) |',
    '| --- | --- | --- | --- | --- |',
    `| bare Apollo \`{ hello }\` | 1.00 | ${f(input.baselineCpuMs)} | | |`,
    ...rows,
  ]
    .filter((l) => l !== '')
    .join('\n');
}
