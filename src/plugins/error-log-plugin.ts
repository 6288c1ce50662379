/**
 * The one place errors of a GraphQL request are logged, on the request's own logger, so each line carries the
 * request id a client can quote. What is logged, and at which level, is error-policy.ts's decision, the same one
 * that shapes what the client sees.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { decideError } from '../errors/error-policy.js';

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
            const line = decideError(original).log;
            if (line) log[line.level]({ path: error.path, ...line.fields }, line.message);
          }
        },
      };
    },
  };
}
