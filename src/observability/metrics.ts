import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ExpressPlayMetrics } from '../datasources/expressplay/client.js';

export interface Metrics {
  readonly registry: Registry;
  readonly expressplay: ExpressPlayMetrics;
  readonly graphqlRequests: Counter<'operation' | 'outcome'>;
  readonly graphqlRequestDuration: Histogram<'operation'>;
  /** Connections closed on accept because HTTP_MAX_CONNECTIONS were open: the cap at work, or a flood. */
  readonly httpConnectionsDropped: Counter;
  /** Webhook attempts by outcome (delivered, retry, failed) and their duration. */
  readonly webhookAttempts: WebhookMetrics;
}

export interface WebhookMetrics {
  record(outcome: 'delivered' | 'retry' | 'failed', seconds: number): void;
}

/** One registry per app instance, so tests that build several apps never collide on metric names. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'expressplay_requests_total',
    help: 'Calls to ExpressPlay by endpoint and outcome (after retries).',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'expressplay_request_duration_seconds',
    help: 'Latency of calls to ExpressPlay, retries included.',
    labelNames: ['endpoint'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const graphqlRequests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL operations by operation (type and first root field) and outcome (ok, error, refused).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const graphqlRequestDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time from the start of a GraphQL operation to its response, by operation (type and first root field).',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const httpConnectionsDropped = new Counter({
    name: 'http_connections_dropped_total',
    help: 'Connections closed on accept because HTTP_MAX_CONNECTIONS were already open.',
    registers: [registry],
  });
  const webhookAttempts = new Counter({
    name: 'webhook_attempts_total',
    help: 'Webhook POSTs by outcome: delivered (2xx), retry (failed, tried again later), failed (given up).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const webhookDuration = new Histogram({
    name: 'webhook_attempt_duration_seconds',
    help: 'Time a webhook POST took, until its answer, error or timeout.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    webhookAttempts: {
      record(outcome, seconds) {
        webhookAttempts.inc({ outcome });
        webhookDuration.observe(seconds);
      },
    },
    graphqlRequests,
    graphqlRequestDuration,
    httpConnectionsDropped,
    expressplay: {
      record(endpoint, outcome, seconds) {
        requests.inc({ endpoint, outcome });
        latency.observe({ endpoint }, seconds);
      },
    },
  };
}
