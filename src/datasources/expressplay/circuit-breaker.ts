/**
 * A small consecutive-failure circuit breaker. Closed: calls pass, and `failureThreshold` failures in a row open
 * it. Open: calls fail fast for `resetMs`. Half-open: one trial call passes (the rest still fail fast); its success
 * closes the circuit, its failure opens it again for another `resetMs`. The clock is injected for tests.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly resetMs: number;
  /** Milliseconds from any fixed origin (default `performance.now()`). */
  readonly now?: () => number;
  /** Told about every change of state, e.g. to log that the circuit opened. */
  readonly onStateChange?: (state: CircuitState) => void;
}

/** What `acquire()` grants: a permit to call upstream, or how long until the next trial. */
export type CircuitPermit = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly resetMs: number;
  private readonly now: () => number;
  private readonly onStateChange: ((state: CircuitState) => void) | undefined;
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;

  constructor(options: CircuitBreakerOptions) {
    this.failureThreshold = Math.max(1, options.failureThreshold);
    this.resetMs = options.resetMs;
    this.now = options.now ?? (() => performance.now());
    this.onStateChange = options.onStateChange;
  }

  get state(): CircuitState {
    return this.current;
  }

  /** Asks to make one call. Every granted permit must be followed by `success()` or `failure()`. */
  acquire(): CircuitPermit {
    if (this.current === 'open') {
      const waited = this.now() - this.openedAt;
      if (waited < this.resetMs) return { allowed: false, retryAfterMs: this.resetMs - waited };
      this.setState('half-open');
    }
    if (this.current === 'half-open') {
      if (this.trialInFlight) return { allowed: false, retryAfterMs: this.resetMs };
      this.trialInFlight = true;
    }
    return { allowed: true };
  }

  /** The call reached a working upstream (an answer, even a refusal). */
  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
    if (this.current !== 'closed') this.setState('closed');
  }

  /** The upstream was unavailable (after the transport's own retries). */
  failure(): void {
    this.trialInFlight = false;
    this.failures += 1;
    if (this.current === 'half-open' || (this.current === 'closed' && this.failures >= this.failureThreshold)) {
      this.openedAt = this.now();
      this.setState('open');
    }
  }

  private setState(state: CircuitState): void {
    this.current = state;
    this.onStateChange?.(state);
  }
}
