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

/**
 * The process's own metrics (CPU, memory, GC, event-loop lag), made on first use and shared by every app the process
 * runs: they describe the process, not an app, and each set keeps a timer of its own. prom-client samples the event
 * loop every 10 ms by default, which wakes an idle service 100 times a second (about 0.6 % of a core on its own);
 * every 50 ms still catches any stall worth alerting on, at a fifth of that.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 50 });
  }
  return processRegistry;
}

export interface MetricsOptions {
  /** Whether `/metrics` is served: the process's metrics are collected only then; the app's counters always. */
  readonly served: boolean;
}

/** One registry per app instance, so tests that build several apps never collide on metric names. */
export function createMetrics(options: MetricsOptions): Metrics {
  const own = new Registry();
  const requests = new Counter({
    name: 'expressplay_requests_total',
    help: 'Calls to ExpressPlay by endpoint and outcome (after retries).',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [own],
  });
  const latency = new Histogram({
    name: 'expressplay_request_duration_seconds',
    help: 'Latency of calls to ExpressPlay, retries included.',
    labelNames: ['endpoint'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [own],
  });
  const graphqlRequests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL operations by operation (type and first root field) and outcome (ok, error, refused).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [own],
  });
  const graphqlRequestDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time from the start of a GraphQL operation to its response, by operation (type and first root field).',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [own],
  });
  const httpConnectionsDropped = new Counter({
    name: 'http_connections_dropped_total',
    help: 'Connections closed on accept because HTTP_MAX_CONNECTIONS were already open.',
    registers: [own],
  });
  const webhookAttempts = new Counter({
    name: 'webhook_attempts_total',
    help: 'Webhook POSTs by outcome: delivered (2xx), retry (failed, tried again later), failed (given up).',
    labelNames: ['outcome'] as const,
    registers: [own],
  });
  const webhookDuration = new Histogram({
    name: 'webhook_attempt_duration_seconds',
    help: 'Time a webhook POST took, until its answer, error or timeout.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [own],
  });
  return {
    // Merged once every metric of the app is registered: a merge copies the metrics a registry holds at that moment.
    registry: options.served ? Registry.merge([processMetrics(), own]) : own,
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
