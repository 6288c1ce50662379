import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { AppError } from './app-error.js';
import { ErrorCode } from './codes.js';
import { withoutInputValues } from './request-error-message.js';

/**
 * Apollo Server does not mask unexpected errors, even in production: a plain Error's message reaches the client.
 * Only errors we threw on purpose (AppError) and GraphQL request errors (parse, validation, variable coercion)
 * pass, the latter without the input values graphql-js writes into them; everything else becomes a bare
 * INTERNAL_SERVER_ERROR. Logging the masked original is the request error log's job (server/error-log.ts), which
 * knows the request id.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const keep = (extensions: Record<string, unknown>, message = formatted.message): GraphQLFormattedError => ({
    message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions,
  });
  if (original instanceof AppError) {
    const { code, field, retryAfterSeconds } = formatted.extensions ?? {};
    return keep({
      code,
      ...(field !== undefined ? { field } : {}),
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
  }
  if (isRequestError(original)) {
    const { code, reason } = formatted.extensions!;
    // graphql-js prints the offending input into some of these; a variable may carry a content key.
    return keep({ code, ...(typeof reason === 'string' ? { reason } : {}) }, withoutInputValues(formatted.message, original));
  }
  return {
    message: 'Internal server error. It has been logged; try again later.',
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/** True when formatError masks this error (the original, unwrapped from its GraphQLError). */
export function isMasked(original: unknown): boolean {
  return !(original instanceof AppError) && !isRequestError(original);
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
