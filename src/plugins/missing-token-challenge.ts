/**
 * A request with no Authorization header is not refused up front: it has no viewer, and each field that needs one
 * says UNAUTHENTICATED (introspection needs none). When that leaves the operation with no data at all, the answer
 * is what HTTP and RFC 6750 say for missing credentials: 401 with a bare `WWW-Authenticate: Bearer` challenge (no
 * error code, since no token was presented). An operation that got some data stays a 200, as GraphQL over HTTP
 * requires for a response with data. A bad token never gets here: the context function refuses it with its own
 * 401 and an error code (auth/bearer-challenge.ts). A batch shares one status: every entry runs without a viewer, so one entry
 * refused for want of a token makes the batch a 401.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { MISSING_TOKEN_CHALLENGE } from '../auth/bearer-challenge.js';
import { ErrorCode } from '../errors/codes.js';

export function createMissingTokenChallengePlugin<T extends { readonly viewer: unknown }>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (contextValue.viewer !== null || response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (data != null || !errors?.some((error) => error.extensions?.code === ErrorCode.UNAUTHENTICATED)) return;
          response.http.status = 401;
          response.http.headers.set('www-authenticate', MISSING_TOKEN_CHALLENGE);
        },
      };
    },
  };
}
