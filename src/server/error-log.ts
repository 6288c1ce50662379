/**
 * The one place errors of a GraphQL request are logged, on the request's own logger, so each line carries the
 * request id a client can quote. What the client was told (a code it can act on) is not logged again: only what
 * the operator must act on. An ExpressPlay rejection (error, with ExpressPlay's code), a DRM the ExpressPlay
 * account will not bind to devices (warn), ExpressPlay being unavailable (warn), and any other masked error
 * (error, message scrubbed).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { DrmWithoutDeviceBindingError, UpstreamUnavailableError } from '../errors/app-error.js';
import { isMasked } from '../errors/format-error.js';
import { ExpressPlayRefusedUsError } from '../errors/from-upstream.js';
import { redactSecrets } from '../observability/redact.js';

export function createErrorLogPlugin<T extends { readonly log?: Logger }>(fallback: Logger): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors }) {
          const log = contextValue?.log ?? fallback;
          // One failure shared by many fields (a per-request loader's, behind 50 aliases) is logged once.
          const seen = new Set<unknown>();
          for (const error of errors) {
            const original = unwrapResolverError(error);
            if (seen.has(original)) continue;
            seen.add(original);
            logError(log, original, error.path);
          }
        },
      };
    },
  };
}

function logError(log: Logger, original: unknown, path: readonly (string | number)[] | undefined): void {
  if (original instanceof ExpressPlayRefusedUsError) {
    const { what, operation, status, upstreamCode, reason } = original;
    log.error(
      { path, operation, status, upstreamCode, reason },
      `${what}: ExpressPlay rejected the request; check the configuration and the catalog entry`,
    );
  } else if (original instanceof DrmWithoutDeviceBindingError) {
    log.warn(
      { path, drm: original.drm, upstreamCode: original.upstreamCode },
      'ExpressPlay does not bind this DRM to devices on our account; every license for it will be refused',
    );
  } else if (original instanceof UpstreamUnavailableError) {
    if (!original.failure) return;
    const { what, operation, status, reason } = original.failure;
    log.warn({ path, operation, status, reason }, `${what}: ExpressPlay unavailable`);
  } else if (isMasked(original)) {
    const err = original instanceof Error ? original : new Error(String(original));
    log.error({ path, err: { type: err.name, message: redactSecrets(err.message) } }, 'unexpected error masked as INTERNAL_SERVER_ERROR');
  }
}
