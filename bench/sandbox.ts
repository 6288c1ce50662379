/**
 * The ExpressPlay sandbox as the benchmark's upstream, in a process of its own so that its work is neither
 * counted in the target's CPU profile nor competes with it on the same event loop, as a real remote ExpressPlay
 * would not. Upstream latency is fixed (BENCH_UPSTREAM_LATENCY_MS, default 20 ms on token and getrecord), so the
 * figures measure the service, not the sandbox. The control port serves `/bench/stats` (requests per endpoint).
 */
import { SANDBOX_CUSTOMER_AUTHENTICATOR } from '../src/config/config.js';
import { startSandbox } from '../src/sandbox/server.js';
import { announceAndWait, serveControl } from './lib/child-main.js';

const latencyMs = Number(process.env.BENCH_UPSTREAM_LATENCY_MS ?? '20');
const sandbox = await startSandbox({
  port: 0,
  host: '127.0.0.1',
  customerAuthenticators: [SANDBOX_CUSTOMER_AUTHENTICATOR],
});
sandbox.setFaults({ latencyMs, endpoints: ['token', 'getrecord'] });
const control = await serveControl({
  '/bench/stats': () => sandbox.stats(),
});

announceAndWait(
  { url: sandbox.url, control: control.url, customerAuthenticator: SANDBOX_CUSTOMER_AUTHENTICATOR, latencyMs },
  async () => {
    control.server.close();
    await sandbox.close();
  },
);
