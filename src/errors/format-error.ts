import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from './codes.js';
import { decideError } from './error-policy.js';
import { withoutInputValues } from './request-error-message.js';

/** graphql-js's suggestion lists ("Did you mean the enum value "FAIRPLAY"?"), which name parts of the schema. */
const SUGGESTIONS = / Did you mean [^?]*\?/g;

/**
 * Apollo's formatError: shapes what the client sees as error-policy.ts decided (our errors with their code, request
 * errors without input values, anything else a bare INTERNAL_SERVER_ERROR). Logging is the error-log plugin's job
 * (plugins/error-log-plugin.ts), from the same decision, on the request's logger, which knows the request id.
 *
 * With `hideSchemaDetails` (production, where introspection is off), request errors carry no suggestions either.
 * Apollo's hideSchemaDetailsFromClientErrors removes them from validation errors only; variable coercion errors
 * ("Variable "$input" got an invalid value … Did you mean …") are formatted here.
 */
export function createFormatError(options: { hideSchemaDetails: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const shaped = formatError(formatted, error);
    if (!options.hideSchemaDetails || !shaped.message.includes(' Did you mean ')) return shaped;
    return { ...shaped, message: shaped.message.replace(SUGGESTIONS, '') };
  };
}

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const keep = (extensions: Record<string, unknown>, message = formatted.message): GraphQLFormattedError => ({
    message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions,
  });
  switch (decideError(original).client) {
    case 'app': {
      const { code, field, retryAfterSeconds } = formatted.extensions ?? {};
      return keep({
        code,
        ...(field !== undefined ? { field } : {}),
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      });
    }
    case 'request': {
      const { code, reason } = formatted.extensions!;
      // graphql-js prints the offending input into some of these; a variable may carry a content key.
      return keep(
        { code, ...(typeof reason === 'string' ? { reason } : {}) },
        withoutInputValues(formatted.message, original),
      );
    }
    case 'masked':
      return {
        message: 'Internal server error. It has been logged; try again later.',
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
      };
  }
}
