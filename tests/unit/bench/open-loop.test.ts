import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openLoop } from '../../../bench/lib/open-loop.js';
import { percentile } from '../../../bench/lib/stats.js';

/** A server that answers one request at a time, in arrival order, each after `serviceMs(i)` of work. */
function fifoServer(serviceMs: (i: number) => number) {
  let busyUntil = 0;
  const arrivals: number[] = [];
  return {
    arrivals,
    send: (i: number) => {
      const arrived = Date.now();
      arrivals[i] = arrived;
      const done = Math.max(arrived, busyUntil) + serviceMs(i);
      busyUntil = done;
      return new Promise<void>((resolve) => setTimeout(resolve, done - arrived));
    },
  };
}

describe('open-loop scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends on schedule while the server stalls, and counts the queueing behind the stall', async () => {
    // 20 req/s for 1 s; the first request takes 500 ms, the rest 10 ms each.
    const server = fifoServer((i) => (i === 0 ? 500 : 10));
    const run = openLoop({ ratePerSecond: 20, durationMs: 1000, send: server.send, now: () => Date.now() });
    await vi.runAllTimersAsync();
    const result = await run;

    expect(result.scheduled).toBe(20);
    // Every request left at its scheduled time (every 50 ms), not after the previous answer.
    expect(server.arrivals).toEqual(Array.from({ length: 20 }, (_, i) => i * 50));
    // Request i (i >= 1) waits for 500 + 10 * i, so its latency from the schedule is 500 + 10 i - 50 i.
    expect(result.latenciesMs[0]).toBe(500);
    expect(result.latenciesMs[1]).toBe(460);
    expect(result.latenciesMs[5]).toBe(300);
    // A closed loop would have seen 1 slow request out of 20; here 10 of 20 took over 100 ms.
    expect(result.latenciesMs.filter((l) => l > 100)).toHaveLength(10);
    expect(percentile(result.latenciesMs, 99)).toBe(500);
    expect(result.failures).toBe(0);
  });

  it('counts latency from the scheduled time when the generator itself wakes up late', async () => {
    const server = fifoServer(() => 20);
    let calls = 0;
    // The 5th wake-up comes 200 ms late (a blocked event loop in the load generator).
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => setTimeout(resolve, ms + ((calls += 1) === 5 ? 200 : 0)));
    const run = openLoop({ ratePerSecond: 20, durationMs: 500, send: server.send, now: () => Date.now(), sleep });
    await vi.runAllTimersAsync();
    const result = await run;

    expect(result.scheduled).toBe(10);
    expect(result.maxSendLagMs).toBe(200);
    // Request 5 was due at 250 ms and left at 450 ms: 200 ms late plus 20 ms of service.
    expect(result.latenciesMs[5]).toBe(220);
    // Requests 6-8 were due meanwhile, left together at 450 ms, and queue behind each other.
    expect(result.latenciesMs.slice(6, 9)).toEqual([190, 160, 130]);
    expect(result.latenciesMs[0]).toBe(20);
  });

  it('counts failures apart from latencies', async () => {
    const run = openLoop({
      ratePerSecond: 10,
      durationMs: 500,
      now: () => Date.now(),
      send: (i) =>
        new Promise<void>((resolve, reject) =>
          setTimeout(() => (i % 2 === 0 ? resolve() : reject(new Error('HTTP 500'))), 5),
        ),
    });
    await vi.runAllTimersAsync();
    const result = await run;
    expect(result.scheduled).toBe(5);
    expect(result.latenciesMs).toEqual([5, 5, 5]);
    expect(result.failures).toBe(2);
    expect(result.firstFailure).toBe('HTTP 500');
  });
});
