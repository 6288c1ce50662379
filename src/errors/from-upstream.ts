import type { Logger } from 'pino';
import { ExpressPlayRejectedError, ExpressPlayUnavailableError } from '../datasources/expressplay/errors.js';
import { UpstreamUnavailableError } from './app-error.js';

/**
 * Turns an ExpressPlay failure into what the client may see. Unavailability is the client's to retry. A
 * rejection means our own request was wrong (a misconfigured authenticator, a bad key in the catalog): nothing
 * the client can fix, so it is logged for the operator and masked as an internal error.
 */
export function fromUpstream(error: unknown, log: Logger, what: string): Error {
  if (error instanceof ExpressPlayUnavailableError) {
    log.warn({ operation: error.operation, status: error.status, reason: error.message }, `${what}: ExpressPlay unavailable`);
    return new UpstreamUnavailableError();
  }
  if (error instanceof ExpressPlayRejectedError) {
    log.error(
      { operation: error.operation, status: error.status, upstreamCode: error.upstreamCode },
      `${what}: ExpressPlay rejected the request; check the configuration and the catalog entry`,
    );
    return new Error(`ExpressPlay rejected ${what} (code ${error.upstreamCode ?? 'none'})`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
