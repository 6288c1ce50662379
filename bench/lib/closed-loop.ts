/**
 * A closed loop with autocannon: `connections` connections, each sending its next request when the previous
 * answer is in. It measures throughput (req/s); its latencies are mostly queueing behind the other connections,
 * so service latency comes from the open loop (open-loop.ts) instead.
 */
import autocannon from 'autocannon';

export interface RequestSource {
  /** The next request's body and bearer token; called for every request. */
  next(): { body: string; token?: string };
  /** The error code every answer must carry: the scenario measures a refusal, not a success. */
  readonly refusedWith?: string;
}

export interface ClosedLoopResult {
  readonly completed: number;
  readonly durationSeconds: number;
  readonly requestsPerSecond: number;
  /** Sent but never answered: autocannon closes its connections at the deadline with these in flight. */
  readonly abandoned: number;
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number };
  readonly errors: number;
  readonly non2xx: number;
  /** Answers with an `errors` array, not counting the expected refusals of a `refusedWith` scenario. */
  readonly graphqlErrors: number;
  /** Answers carrying the source's `refusedWith` code. */
  readonly refused: number;
  readonly firstError: string | undefined;
}

/** Runs for `durationSeconds`, or until `amount` requests are answered when given. */
export async function closedLoop(
  url: string,
  source: RequestSource,
  options: { connections: number; durationSeconds?: number; amount?: number },
): Promise<ClosedLoopResult> {
  let graphqlErrors = 0;
  let refused = 0;
  let firstError: string | undefined;
  let built = 0;
  let answered = 0;
  const refusal = source.refusedWith && `"code":"${source.refusedWith}"`;
  const result = await autocannon({
    url: `${url}/graphql`,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds ?? 1 }),
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (request) => {
          built += 1;
          const { body, token } = source.next();
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
  const completed = result.requests.total;
  return {
    completed,
    durationSeconds: result.duration,
    requestsPerSecond: result.duration > 0 ? completed / result.duration : 0,
    // Every build is followed by a write (autocannon's `requests.sent` agrees).
    abandoned: Math.max(0, built - answered),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    graphqlErrors,
    refused,
    firstError,
  };
}
