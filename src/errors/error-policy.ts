/**
 * The one decision about an error of a GraphQL request: what the client sees (formatError) and what, if anything,
 * the operator's log gets and at which level (the error-log plugin). Both read it here, so an error cannot be
 * masked for the client and forgotten by the log, or logged as harmless while the client is told it failed.
 *
 * Apollo Server does not mask unexpected errors, even in production: a plain Error's message reaches the client.
 * Only errors we threw on purpose (AppError) and GraphQL request errors (parse, validation, variable coercion)
 * pass; everything else becomes a bare INTERNAL_SERVER_ERROR and is logged, its message redacted. What the client
 * was told (a code it can act on) is not logged again: only what the operator must act on.
 */
import { redactSecrets } from '../observability/redact.js';
import { AppError, DrmWithoutDeviceBindingError, UpstreamUnavailableError } from './app-error.js';
import { ErrorCode } from './codes.js';
import { ExpressPlayRefusedUsError } from './from-upstream.js';

/**
 * `app`: our own error, passed with its code (and field, retry hint). `request`: a GraphQL request error, passed
 * with its own code but without the input values graphql-js writes into it. `masked`: INTERNAL_SERVER_ERROR.
 */
export type ClientView = 'app' | 'request' | 'masked';

/** A line for the request's logger, which adds the request id and the field's path. */
export interface OperatorLog {
  readonly level: 'error' | 'warn';
  readonly fields: Readonly<Record<string, unknown>>;
  readonly message: string;
}

export interface ErrorDecision {
  readonly client: ClientView;
  readonly log: OperatorLog | null;
}

/** Decides for the original error, unwrapped from its GraphQLError (`unwrapResolverError`). */
export function decideError(original: unknown): ErrorDecision {
  if (original instanceof AppError) return { client: 'app', log: operatorLogOf(original) };
  if (isRequestError(original)) return { client: 'request', log: null };
  const err = original instanceof Error ? original : new Error(String(original));
  return {
    client: 'masked',
    log: {
      level: 'error',
      fields: { err: { type: err.name, message: redactSecrets(err.message) } },
      message: 'unexpected error masked as INTERNAL_SERVER_ERROR',
    },
  };
}

/**
 * Our own errors the operator must act on: an ExpressPlay rejection (error, with ExpressPlay's code), a DRM the
 * ExpressPlay account will not bind to devices (warn), ExpressPlay being unavailable (warn). The rest are the
 * client's business alone.
 */
function operatorLogOf(error: AppError): OperatorLog | null {
  if (error instanceof ExpressPlayRefusedUsError) {
    const { what, operation, status, upstreamCode, reason } = error;
    return {
      level: 'error',
      fields: { operation, status, upstreamCode, reason },
      message: `${what}: ExpressPlay rejected the request; check the configuration and the catalog entry`,
    };
  }
  if (error instanceof DrmWithoutDeviceBindingError) {
    return {
      level: 'warn',
      fields: { drm: error.drm, upstreamCode: error.upstreamCode },
      message: 'ExpressPlay does not bind this DRM to devices on our account; every license for it will be refused',
    };
  }
  if (error instanceof UpstreamUnavailableError && error.failure) {
    const { what, operation, status, reason } = error.failure;
    return { level: 'warn', fields: { operation, status, reason }, message: `${what}: ExpressPlay unavailable` };
  }
  return null;
}

/**
 * Errors about the request itself (syntax, validation, variable coercion) are GraphQLErrors that graphql-js or
 * Apollo made, with their own code. A resolver's stray Error has no extensions. Duck-typed, because under test
 * runners graphql can load twice and `instanceof GraphQLError` then fails across the two copies.
 */
function isRequestError(error: unknown): boolean {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return error instanceof Error && typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR;
}
