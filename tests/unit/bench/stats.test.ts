import { describe, expect, it } from 'vitest';
import {
  baselineDrift,
  driftPct,
  isStable,
  trendPct,
  latencySummary,
  median,
  percentile,
  ratioToAdjacent,
  spread,
  writeDecision,
} from '../../../bench/lib/stats.js';

describe('bench statistics', () => {
  it('median takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('percentile is the nearest rank: a sample that was really measured', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100, shuffled order must not matter
    const shuffled = [...hundred].reverse();
    expect(percentile(shuffled, 50)).toBe(50);
    expect(percentile(shuffled, 99)).toBe(99);
    expect(percentile(shuffled, 100)).toBe(100);
    expect(percentile(shuffled, 0)).toBe(1);
    // With 10 samples the p99 is the worst one, not an interpolation below it.
    expect(percentile([1, 1, 1, 1, 1, 1, 1, 1, 1, 90], 99)).toBe(90);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('latencySummary reports p50, p90, p99 and max of the samples', () => {
    const samples = [...Array.from({ length: 98 }, () => 21), 60, 400];
    expect(latencySummary(samples)).toEqual({ p50: 21, p90: 21, p99: 60, max: 400, samples: 100 });
  });

  it('spread gives median, min-max, the quartiles and the width relative to the median', () => {
    const s = spread([0.5, 0.42, 0.44, 0.41, 0.43]);
    expect(s).toMatchObject({ median: 0.43, min: 0.41, max: 0.5, q1: 0.415, q3: 0.47, n: 5 });
    expect(s.rangePct).toBeCloseTo(20.9, 1);
    expect(spread([]).n).toBe(0);
  });

  it('a ratio is taken against the mean of the baseline windows around it', () => {
    expect(ratioToAdjacent(500, 1000, 3000)).toBe(0.25);
    expect(ratioToAdjacent(500, undefined, 1000)).toBe(0.5);
    expect(ratioToAdjacent(500, undefined, undefined)).toBeNull();
  });

  it('memory drift is the change from the first to the last sample, in percent', () => {
    expect(driftPct([100, 104, 112])).toBe(12);
    expect(driftPct([100])).toBe(0);
  });

  it('memory trend is the growth along the least-squares line, which swings between samples do not make', () => {
    const at = (ys: number[]) => ys.map((y, i) => ({ x: i * 10_000, y }));
    // Steady growth of 1 MB a sample from 100: the line's 9 MB over its first value.
    expect(trendPct(at([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]))).toBe(9);
    // RSS swinging by ±8 MB with no growth: the endpoints differ by 16 %, the line by little.
    const swinging = [100, 108, 100, 92, 100, 108, 100, 92, 100, 116];
    expect(driftPct(swinging)).toBe(16);
    expect(Math.abs(trendPct(at(swinging)))).toBeLessThan(6);
    expect(trendPct(at([100]))).toBe(0);
    expect(
      trendPct([
        { x: 5, y: 100 },
        { x: 5, y: 120 },
      ]),
    ).toBe(0);
  });

  it('a warm-up is stable once two successive windows differ by less than the tolerance', () => {
    expect(isStable([900, 1000], 0.05)).toBe(false);
    expect(isStable([900, 1000, 1040], 0.05)).toBe(true);
    expect(isStable([1000], 0.05)).toBe(false);
  });
});

describe('baseline drift refusal', () => {
  it('accepts a run whose per-round baselines stay within the bound', () => {
    const verdict = baselineDrift([2600, 2700, 2650, 2580, 2720], 1.25);
    expect(verdict.ok).toBe(true);
    expect(verdict.reason).toBeNull();
  });

  it('refuses a run whose baseline moved past the bound, and says by how much', () => {
    // The committed results once came from a run whose baseline moved 456 %.
    const verdict = baselineDrift([2600, 2650, 570, 2700, 2620], 1.25);
    expect(verdict.ok).toBe(false);
    expect(verdict.maxOverMin).toBeCloseTo(4.737, 3);
    expect(verdict.reason).toMatch(/max\/min 4\.74 > 1\.25/);
  });

  it('refuses a run in which a round had no baseline figure', () => {
    expect(baselineDrift([2600, 0], 1.25).ok).toBe(false);
    expect(baselineDrift([], 1.25).ok).toBe(false);
  });
});

describe('writing results', () => {
  it('writes a steady run unmarked', () => {
    expect(writeDecision(baselineDrift([2600, 2700], 1.25), false)).toEqual({
      write: true,
      forced: false,
      message: null,
      reason: null,
    });
  });

  it('does not write a run in which a scenario got error answers (e.g. RATE_LIMITED), unless forced', () => {
    const steady = baselineDrift([2600, 2700], 1.25);
    const failed = ['pglite aliases-50: 0 failed, 0 non-2xx, 12 GraphQL errors (RATE_LIMITED)'];
    const decision = writeDecision(steady, false, failed);
    expect(decision.write).toBe(false);
    expect(decision.message).toMatch(/NOT WRITTEN: 1 scenario check\(s\) failed/);
    expect(writeDecision(steady, true, failed)).toMatchObject({ write: true, forced: true, reason: /check/ });
  });

  it('does not write a drifted run, and says why and how to override', () => {
    const decision = writeDecision(baselineDrift([2600, 1900], 1.25), false);
    expect(decision.write).toBe(false);
    expect(decision.message).toMatch(/NOT WRITTEN: the baseline drifted .* max\/min 1\.37 > 1\.25/);
    expect(decision.message).toMatch(/--force/);
  });

  it('writes a drifted run with --force, marked as forced', () => {
    expect(writeDecision(baselineDrift([2600, 1900], 1.25), true)).toMatchObject({ write: true, forced: true });
  });
});
