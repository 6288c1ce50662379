import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { scrubText } from '../observability/logger.js';
import { AppError } from './app-error.js';
import { ErrorCode } from './codes.js';

/**
 * Apollo Server does not mask unexpected errors, even in production: a plain Error's message reaches the client.
 * Only errors we threw on purpose (AppError) and GraphQL request errors (parse, validation, variable coercion)
 * pass; everything else becomes a bare INTERNAL_SERVER_ERROR, and the original is logged, scrubbed.
 */
export function createFormatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    const keep = (extensions: Record<string, unknown>): GraphQLFormattedError => ({
      message: formatted.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions,
    });
    if (original instanceof AppError) {
      const { code: appCode, field, retryAfterSeconds } = formatted.extensions ?? {};
      return keep({
        code: appCode,
        ...(field !== undefined ? { field } : {}),
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      });
    }
    // Errors graphql-js and Apollo raise about the request itself carry their own code and safe messages.
    if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR && isRequestError(original)) {
      return keep({ code });
    }
    const err = original instanceof Error ? original : new Error(String(original));
    log.error(
      { err: { type: err.name, message: scrubText(err.message) }, path: formatted.path },
      'unexpected error masked as INTERNAL_SERVER_ERROR',
    );
    return {
      message: 'Internal server error. It has been logged; try again later.',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/**
 * Errors about the request itself (syntax, validation, variable coercion) are GraphQLErrors that graphql-js or
 * Apollo made, with their own code. A resolver's stray Error has no extensions. Duck-typed, because under test
 * runners graphql can load twice and `instanceof GraphQLError` then fails across the two copies.
 */
function isRequestError(error: unknown): boolean {
  const extensions = (error as { extensions?: { code?: unknown } } | null)?.extensions;
  return error instanceof Error && typeof extensions?.code === 'string';
}
