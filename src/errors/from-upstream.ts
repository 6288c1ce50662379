import { ExpressPlayRejectedError, ExpressPlayUnavailableError } from '../datasources/expressplay/errors.js';
import { UpstreamUnavailableError } from './app-error.js';

/**
 * Seconds a client should wait after ExpressPlay refused a request of ours: long enough for an operator to act on
 * the error line, short enough that a client retrying on its own gets the license soon after.
 */
export const REFUSED_RETRY_AFTER_SECONDS = 300;

/**
 * ExpressPlay refused a request of ours (a misconfigured authenticator, an account without credits, a bad key in
 * the catalog): nothing the client can fix, but nothing it lost either. The client gets UPSTREAM_UNAVAILABLE with
 * a later retry, never a bare INTERNAL_SERVER_ERROR: a purchase or rental is recorded before its token is asked
 * for, so a retry with the same idempotencyKey (or licenseToken) gets the license once the cause is fixed. The
 * operator gets an error line with ExpressPlay's code (error-policy.ts).
 */
export class ExpressPlayRefusedUsError extends UpstreamUnavailableError {
  constructor(
    readonly what: string,
    readonly operation: string,
    readonly status: number | undefined,
    readonly upstreamCode: number | undefined,
    /** For the operator's log: status, code and a hint, built without URL or body (see http.ts). */
    readonly reason: string,
  ) {
    super(
      { what, operation, status, reason },
      'The DRM license service refused a request of ours: a fault on our side, reported to the operator. ' +
        'Nothing was lost: try again later (a purchase or rental with the same idempotencyKey).',
      REFUSED_RETRY_AFTER_SECONDS,
    );
  }
}

/**
 * Turns an ExpressPlay failure into what the client may see: unavailability is the client's to retry soon; a
 * rejection is ours to fix, and the client's to retry later. Logging is left to the request's error log
 * (error-policy.ts), which knows the request id.
 */
export function fromUpstream(error: unknown, what: string): Error {
  if (error instanceof ExpressPlayUnavailableError) {
    return new UpstreamUnavailableError({
      what,
      operation: error.operation,
      status: error.status,
      reason: error.message,
    });
  }
  if (error instanceof ExpressPlayRejectedError) {
    return new ExpressPlayRefusedUsError(what, error.operation, error.status, error.upstreamCode, error.message);
  }
  return error instanceof Error ? error : new Error(String(error));
}
