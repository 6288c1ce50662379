import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/observability/metrics.js';

const names = async (metrics: ReturnType<typeof createMetrics>): Promise<string[]> =>
  (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);

describe('metrics', () => {
  it("serves the process's metrics (event-loop lag, memory) beside the app's only when /metrics is served", async () => {
    const served = await names(createMetrics({ served: true }));
    expect(served).toContain('nodejs_eventloop_lag_p99_seconds');
    expect(served).toContain('process_resident_memory_bytes');
    expect(served).toContain('graphql_requests_total');

    const unserved = await names(createMetrics({ served: false }));
    expect(unserved).toContain('graphql_requests_total');
    expect(unserved.filter((n) => n.startsWith('nodejs_') || n.startsWith('process_'))).toEqual([]);
  });

  it('shares one set of process metrics among the apps of a process, each with counters of its own', async () => {
    const a = createMetrics({ served: true });
    const b = createMetrics({ served: true });
    a.httpConnectionsDropped.inc(2);
    expect(await a.registry.getSingleMetricAsString('http_connections_dropped_total')).toMatch(/ 2$/m);
    expect(await b.registry.getSingleMetricAsString('http_connections_dropped_total')).toMatch(/ 0$/m);
    // The same gauge objects: a second collectDefaultMetrics would have made a second event-loop monitor.
    expect(a.registry.getSingleMetric('nodejs_eventloop_lag_p99_seconds')).toBe(
      b.registry.getSingleMetric('nodejs_eventloop_lag_p99_seconds'),
    );
  });
});
