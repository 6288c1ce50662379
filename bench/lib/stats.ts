/**
 * The statistics the benchmark reports. Pure functions over plain numbers, unit-tested in tests/unit/bench/, so
 * that a figure in bench/results.json means what bench/README.md says it means.
 */

/** The value below which `p` percent of `values` fall: nearest rank (no interpolation), so it is a real sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0-100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  if (p === 0) return sorted[0];
  return sorted[Math.min(sorted.length, Math.ceil((p / 100) * sorted.length)) - 1];
}

/** The middle value; the mean of the two middle ones for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * How far a handful of per-round figures spread: min and max (with 5 rounds an inter-quartile range is two
 * samples wide, so min-max says more), the quartiles (medians of the lower and upper halves, Tukey's hinges) and
 * the width of min-max relative to the median.
 */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly q1: number;
  readonly q3: number;
  /** (max - min) / median, in percent. */
  readonly rangePct: number;
  readonly n: number;
}

export function spread(values: readonly number[], digits = 3): Spread {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const r = (n: number) => round(n, digits);
  if (sorted.length === 0) return { median: NaN, min: NaN, max: NaN, q1: NaN, q3: NaN, rangePct: NaN, n: 0 };
  const half = sorted.length >> 1;
  const lower = sorted.slice(0, Math.max(1, half));
  const upper = sorted.slice(sorted.length % 2 === 1 ? half + 1 : half);
  const m = median(sorted);
  return {
    median: r(m),
    min: r(sorted[0]),
    max: r(sorted.at(-1)!),
    q1: r(median(lower)),
    q3: r(median(upper.length > 0 ? upper : lower)),
    rangePct: m === 0 ? 0 : round(((sorted.at(-1)! - sorted[0]) / m) * 100, 1),
    n: sorted.length,
  };
}

export function round(n: number, digits = 2): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Latency summary in milliseconds from raw samples. */
export function latencySummary(samplesMs: readonly number[]) {
  return {
    p50: round(percentile(samplesMs, 50), 1),
    p90: round(percentile(samplesMs, 90), 1),
    p99: round(percentile(samplesMs, 99), 1),
    max: round(samplesMs.length === 0 ? NaN : Math.max(...samplesMs), 1),
    samples: samplesMs.length,
  };
}

/**
 * A scenario's throughput against the baseline next to it: its req/s over the mean of the baseline windows run
 * just before and just after it in the same round (one of them when the other is missing). Null without a
 * baseline figure.
 */
export function ratioToAdjacent(value: number, before: number | undefined, after: number | undefined): number | null {
  const around = [before, after].filter((b): b is number => b !== undefined && b > 0);
  if (around.length === 0) return null;
  return value / (around.reduce((a, b) => a + b, 0) / around.length);
}

export interface DriftVerdict {
  readonly ok: boolean;
  /** Highest over lowest of the per-round baseline figures. */
  readonly maxOverMin: number;
  readonly bound: number;
  readonly perRound: readonly number[];
  /** Why the run may not be written, or null. */
  readonly reason: string | null;
}

/**
 * Whether the machine held still across the run: the baseline's median req/s of each round, highest over lowest,
 * within `bound` (1.25 = the fastest round at most 25 % above the slowest). A run that drifted more compares
 * scenarios measured under different conditions, and its ratios mean little.
 */
export function baselineDrift(perRoundBaselineRps: readonly number[], bound: number): DriftVerdict {
  const perRound = perRoundBaselineRps.map((v) => round(v, 1));
  const valid = perRoundBaselineRps.filter((v) => Number.isFinite(v));
  if (valid.length === 0 || valid.some((v) => v <= 0)) {
    return {
      ok: false,
      maxOverMin: NaN,
      bound,
      perRound,
      reason: 'no usable baseline figure in some round (the baseline served nothing)',
    };
  }
  const maxOverMin = Math.max(...valid) / Math.min(...valid);
  const ok = maxOverMin <= bound;
  return {
    ok,
    maxOverMin: round(maxOverMin, 3),
    bound,
    perRound,
    reason: ok
      ? null
      : `the baseline drifted across rounds: per-round req/s ${perRound.join(', ')}, max/min ${round(maxOverMin, 2)} > ${bound}`,
  };
}

/** Relative change from the first to the last value, in percent (memory drift over request counts). */
export function driftPct(values: readonly number[]): number {
  if (values.length < 2 || !(values[0] > 0)) return 0;
  return round(((values.at(-1)! - values[0]) / values[0]) * 100, 1);
}

/**
 * The change along the least-squares line through the samples, from the first sample's request count to the last's,
 * in percent of the line's value at the first: growth with request count, where the endpoints of a series that moves
 * both ways by a few percent (RSS as the allocator keeps and returns pages) may differ by more than it grew.
 */
export function trendPct(samples: ReadonlyArray<{ readonly x: number; readonly y: number }>): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const mx = samples.reduce((sum, s) => sum + s.x, 0) / n;
  const my = samples.reduce((sum, s) => sum + s.y, 0) / n;
  const sxx = samples.reduce((sum, s) => sum + (s.x - mx) ** 2, 0);
  if (sxx === 0) return 0;
  const slope = samples.reduce((sum, s) => sum + (s.x - mx) * (s.y - my), 0) / sxx;
  const start = my + slope * (samples[0].x - mx);
  if (!(start > 0)) return 0;
  return round(((slope * (samples.at(-1)!.x - samples[0].x)) / start) * 100, 1);
}

/**
 * Whether a warm-up may stop: the last two windows' throughput within `tolerance` (0.05 = 5 %) of each other.
 */
export function isStable(windowsRps: readonly number[], tolerance: number): boolean {
  if (windowsRps.length < 2) return false;
  const [a, b] = windowsRps.slice(-2);
  if (!(a > 0 && b > 0)) return false;
  return Math.abs(a - b) / Math.max(a, b) < tolerance;
}

export interface WriteDecision {
  readonly write: boolean;
  /** Written although it should not have been: the file says so (`forced`, `refusedBecause`). */
  readonly forced: boolean;
  /** What to print, or null when all is well. */
  readonly message: string | null;
  /** Why the run may not be written (drift, failed checks), or null. */
  readonly reason: string | null;
}

/**
 * Whether a run's results may be written: only when the baseline held still and every scenario measured its real
 * path (no error answer, the expected upstream calls), or with --force (and marked). A scenario that was answered
 * RATE_LIMITED or with any other error measured the refusal, not the service.
 */
export function writeDecision(
  drift: DriftVerdict,
  force: boolean,
  failedChecks: readonly string[] = [],
): WriteDecision {
  const reasons = [
    ...(drift.ok ? [] : [`${drift.reason} (bound ${drift.bound}); the machine was not steady`]),
    ...(failedChecks.length > 0
      ? [`${failedChecks.length} scenario check(s) failed (error answers or unexpected upstream calls)`]
      : []),
  ];
  if (reasons.length === 0) return { write: true, forced: false, message: null, reason: null };
  const reason = reasons.join('; ');
  if (force)
    return { write: true, forced: true, message: `Written with --force (marked forced) despite: ${reason}`, reason };
  return {
    write: false,
    forced: false,
    message: `NOT WRITTEN: ${reason}. Fix the cause or rerun on a quiet machine, or pass --force to write it marked as forced.`,
    reason,
  };
}
