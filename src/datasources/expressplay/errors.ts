/**
 * Upstream errors. Built from status, path and ExpressPlay's numeric code only: never from got's message, which
 * carries the full URL (and with it the customer authenticator). None of these reach a client directly; the
 * services translate them into `AppError`s.
 */
export type ExpressPlayOperation = 'token' | 'getrecord';

export class ExpressPlayError extends Error {
  override readonly name: string = 'ExpressPlayError';
  constructor(
    message: string,
    readonly operation: ExpressPlayOperation,
    readonly status: number | undefined,
    /** ExpressPlay's negative error code (for example -2018), when the body had one. */
    readonly upstreamCode: number | undefined,
    /** Standard error options. `cause` is only ever a small plain object without URLs (see http.ts). */
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** ExpressPlay answered and refused the request (4xx): retrying the same request will not help. */
export class ExpressPlayRejectedError extends ExpressPlayError {
  override readonly name = 'ExpressPlayRejectedError';
}

/** ExpressPlay could not be reached, timed out, failed (5xx), answered garbage, or the circuit is open. */
export class ExpressPlayUnavailableError extends ExpressPlayError {
  override readonly name = 'ExpressPlayUnavailableError';
}

/**
 * The circuit breaker is open: ExpressPlay failed repeatedly and this call was not attempted. `retryAfterMs` says
 * when the next trial call will be let through (useful for `retryAfterSeconds`).
 */
export class ExpressPlayCircuitOpenError extends ExpressPlayUnavailableError {
  // `name` stays 'ExpressPlayUnavailableError': to callers this is one more way of being unavailable.
  constructor(
    operation: ExpressPlayOperation,
    readonly retryAfterMs: number,
  ) {
    super(
      `ExpressPlay is unavailable: circuit open after repeated failures, ${operation} request not attempted`,
      operation,
      undefined,
      undefined,
      { cause: { kind: 'circuit_open' } },
    );
  }
}
