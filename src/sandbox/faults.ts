/**
 * Fault injection, so the service's timeouts, retries and circuit breaker can be tested against a real socket.
 * Every fault is deterministic: a test that sees one failure sees it on every run.
 */

export type SandboxEndpoint = 'token' | 'getrecord' | 'license';

export interface SandboxFaults {
  /** Milliseconds added before answering. */
  latencyMs?: number;
  /** 0..1: that share of requests answer HTTP 503, spread evenly (0.5 = every 2nd request). */
  errorRate?: number;
  /** The socket is destroyed without an answer (the client sees a connection reset). */
  outage?: boolean;
  /** HTTP 200 with a body that is no valid answer. */
  garbage?: boolean;
  /** Which endpoints the faults apply to; token and getrecord by default. */
  endpoints?: ReadonlyArray<SandboxEndpoint>;
}

/** What to do with one request after the latency has been served. */
export type FaultAction = 'none' | 'outage' | 'garbage' | 'unavailable';

export interface FaultInjector {
  set(faults: SandboxFaults): void;
  /** Milliseconds to wait before answering a request to `endpoint`. */
  latencyFor(endpoint: SandboxEndpoint): number;
  /** Decides, and counts towards the error rate, one request to `endpoint`. */
  actionFor(endpoint: SandboxEndpoint): FaultAction;
}

const DEFAULT_ENDPOINTS: readonly SandboxEndpoint[] = ['token', 'getrecord'];
// The error rate accumulates in millionths: summing 0.1 ten times in floating point gives 0.999…, which would
// move the tenth failure to the eleventh request.
const SCALE = 1_000_000;

export function validateFaults(faults: SandboxFaults): void {
  const { latencyMs, errorRate, endpoints } = faults;
  if (latencyMs !== undefined && !(Number.isFinite(latencyMs) && latencyMs >= 0)) {
    throw new RangeError('faults.latencyMs must be a finite number of milliseconds, 0 or more');
  }
  if (errorRate !== undefined && !(errorRate >= 0 && errorRate <= 1)) {
    throw new RangeError('faults.errorRate must be between 0 and 1');
  }
  for (const endpoint of endpoints ?? []) {
    if (endpoint !== 'token' && endpoint !== 'getrecord' && endpoint !== 'license') {
      throw new RangeError(`faults.endpoints: unknown endpoint ${String(endpoint)}`);
    }
  }
}

export function createFaultInjector(initial: SandboxFaults = {}): FaultInjector {
  let faults: SandboxFaults = {};
  let affected = new Set<SandboxEndpoint>(DEFAULT_ENDPOINTS);
  let errorRate = 0;
  let accumulated = 0;

  const injector: FaultInjector = {
    set(next) {
      validateFaults(next);
      faults = { ...next };
      affected = new Set(next.endpoints ?? DEFAULT_ENDPOINTS);
      errorRate = Math.round((next.errorRate ?? 0) * SCALE);
      // A new setting starts a fresh sequence, so "every 2nd request" counts from the change.
      accumulated = 0;
    },

    latencyFor(endpoint) {
      return affected.has(endpoint) ? (faults.latencyMs ?? 0) : 0;
    },

    actionFor(endpoint) {
      if (!affected.has(endpoint)) return 'none';
      if (faults.outage) return 'outage';
      if (faults.garbage) return 'garbage';
      if (errorRate === 0) return 'none';
      accumulated += errorRate;
      if (accumulated < SCALE) return 'none';
      accumulated -= SCALE;
      return 'unavailable';
    },
  };
  injector.set(initial);
  return injector;
}
