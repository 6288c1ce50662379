/**
 * What HTTP and RFC 6750 say to a client whose credentials were refused: 401 with a `WWW-Authenticate: Bearer`
 * challenge. A bad token fails the whole request before any field runs (the context function throws it); a missing
 * token only fails the fields that need a viewer (plugins/missing-token-challenge.ts).
 */
import { GraphQLError } from 'graphql';
import { UnauthenticatedError, type TokenProblem } from '../errors/app-error.js';

/** The bare challenge for a request that presented no token: no error code, since there is no token to judge. */
export const MISSING_TOKEN_CHALLENGE = 'Bearer';

/** The RFC 6750 challenge for a refused bearer token. */
export function bearerChallenge(problem: TokenProblem | undefined): string {
  if (problem === 'MALFORMED_HEADER') return 'Bearer error="invalid_request"';
  if (problem === 'TOKEN_EXPIRED') return 'Bearer error="invalid_token", error_description="The token has expired"';
  return 'Bearer error="invalid_token"';
}

/**
 * Builds a request's context, answering a refused token with HTTP 401, a WWW-Authenticate challenge and
 * extensions.reason, so a client can tell an expired token (refresh it) from a bad one (sign in again).
 */
export async function withBearerChallenge<T>(build: () => Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (error) {
    if (error instanceof UnauthenticatedError) {
      throw new GraphQLError(error.message, {
        extensions: {
          code: error.code,
          ...(error.tokenProblem ? { reason: error.tokenProblem } : {}),
          http: { status: 401, headers: new Map([['www-authenticate', bearerChallenge(error.tokenProblem)]]) },
        },
      });
    }
    throw error;
  }
}
