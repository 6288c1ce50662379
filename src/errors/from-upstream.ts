import { ExpressPlayRejectedError, ExpressPlayUnavailableError } from '../datasources/expressplay/errors.js';
import { UpstreamUnavailableError } from './app-error.js';

/**
 * ExpressPlay refused a request of ours (a misconfigured authenticator, a bad key in the catalog): nothing the
 * client can fix. Masked as INTERNAL_SERVER_ERROR like any unexpected error; the error log names ExpressPlay's code.
 */
export class ExpressPlayRefusedUsError extends Error {
  override readonly name = 'ExpressPlayRefusedUsError';
  constructor(
    readonly what: string,
    readonly operation: string,
    readonly status: number | undefined,
    readonly upstreamCode: number | undefined,
    /** The client error's message: status, code and a hint, built without URL or body (see http.ts). */
    readonly reason: string,
  ) {
    super(`ExpressPlay rejected the ${what} (code ${upstreamCode ?? 'none'})`);
  }
}

/**
 * Turns an ExpressPlay failure into what the client may see: unavailability is the client's to retry; a rejection
 * is ours. Logging is left to the request's error log (server/error-log.ts), which knows the request id.
 */
export function fromUpstream(error: unknown, what: string): Error {
  if (error instanceof ExpressPlayUnavailableError) {
    return new UpstreamUnavailableError({ what, operation: error.operation, status: error.status, reason: error.message });
  }
  if (error instanceof ExpressPlayRejectedError) {
    return new ExpressPlayRefusedUsError(what, error.operation, error.status, error.upstreamCode, error.message);
  }
  return error instanceof Error ? error : new Error(String(error));
}
