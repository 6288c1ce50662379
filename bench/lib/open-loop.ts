/**
 * An open-loop load generator: requests leave at a fixed arrival rate whatever the server does, and each one's
 * latency runs from the time it was *scheduled* to leave, not the time it actually left. A closed loop (N
 * connections, next request after the previous answer) stops sending while the server stalls, so the stall shows
 * up as one slow request instead of every request that should have been sent meanwhile (coordinated omission);
 * and a generator whose own timer fires late must not hide that lateness either.
 */

export interface OpenLoopOptions {
  /** Requests per second. */
  readonly ratePerSecond: number;
  /** How long to keep scheduling; ratePerSecond * durationMs / 1000 requests in all. */
  readonly durationMs: number;
  /** Sends request `i`; resolves when its answer is complete, rejects on failure. */
  readonly send: (i: number) => Promise<void>;
  /** Milliseconds, monotonic. */
  readonly now?: () => number;
  /** Waits about `ms`; may wake late (a busy event loop), which the latencies then include. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface OpenLoopResult {
  readonly scheduled: number;
  /** Completion time minus scheduled send time, per answered request, in send order. */
  readonly latenciesMs: number[];
  readonly failures: number;
  readonly firstFailure: string | undefined;
  /** The most a request left after its scheduled time: the generator's own lateness. */
  readonly maxSendLagMs: number;
  /** From the first scheduled send to the last answer. */
  readonly elapsedMs: number;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (!(options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
  const intervalMs = 1000 / options.ratePerSecond;
  const count = Math.floor(options.durationMs / intervalMs);
  const latencies: Array<number | undefined> = new Array<number | undefined>(count);
  let failures = 0;
  let firstFailure: string | undefined;
  let maxSendLagMs = 0;
  const inFlight: Array<Promise<void>> = [];
  const start = now();
  for (let i = 0; i < count; i += 1) {
    const scheduledAt = start + i * intervalMs;
    const wait = scheduledAt - now();
    if (wait > 0) await sleep(wait);
    // Everything already due leaves now, late or not; its latency still counts from scheduledAt.
    maxSendLagMs = Math.max(maxSendLagMs, now() - scheduledAt);
    inFlight.push(
      options.send(i).then(
        () => {
          latencies[i] = now() - scheduledAt;
        },
        (error: unknown) => {
          failures += 1;
          firstFailure ??= error instanceof Error ? error.message : String(error);
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return {
    scheduled: count,
    latenciesMs: latencies.filter((l): l is number => l !== undefined),
    failures,
    firstFailure,
    maxSendLagMs,
    elapsedMs: now() - start,
  };
}
