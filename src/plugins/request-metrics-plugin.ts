/**
 * Counts GraphQL operations and times them, for `/metrics`: `graphql_requests_total{operation,outcome}` and
 * `graphql_request_duration_seconds{operation}`. The operation label is the operation type and its first root field
 * (`query.contents`, `mutation.purchase`), never the client's operation name: names are the client's to choose, and
 * a label taken from them would let any client grow the registry without bound. Root fields come from the schema.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { Counter, Histogram } from 'prom-client';

export interface RequestMetrics {
  readonly requests: Counter<'operation' | 'outcome'>;
  readonly duration: Histogram<'operation'>;
}

/** `ok`: no error; `error`: it ran and answered with errors; `refused`: it never ran (parse, validation, limits). */
type Outcome = 'ok' | 'error' | 'refused';

export function createRequestMetricsPlugin<T extends object>(metrics: RequestMetrics): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      let operation = 'unknown';
      let executed = false;
      return {
        async didResolveOperation({ operation: resolved }) {
          if (resolved) operation = labelOf(resolved);
        },
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const outcome: Outcome = !executed ? 'refused' : errors?.length ? 'error' : 'ok';
          metrics.requests.inc({ operation, outcome });
          metrics.duration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}

function labelOf(operation: OperationDefinitionNode): string {
  const first = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  return first?.kind === Kind.FIELD ? `${operation.operation}.${first.name.value}` : operation.operation;
}
