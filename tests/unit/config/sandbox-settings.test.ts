import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { SandboxEnvError, sandboxOptionsFromEnv } from '../../../src/sandbox/sandbox-env.js';

/** What `npm start` (embedded sandbox) and `npm run sandbox` make of the same SANDBOX_* variables. */
function bothEntryPoints(env: Record<string, string>) {
  const embedded = loadConfig(env).sandbox!;
  const standalone = sandboxOptionsFromEnv(env);
  return { embedded, standalone };
}

function problemsOf(read: () => unknown): readonly string[] {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof SandboxEnvError) return error.problems;
    throw error;
  }
  return [];
}

describe('SANDBOX_* settings: the embedded sandbox and npm run sandbox read them alike', () => {
  it('read the same values', () => {
    const { embedded, standalone } = bothEntryPoints({
      SANDBOX_PORT: '4101',
      SANDBOX_LATENCY_MS: '250',
      SANDBOX_ERROR_RATE: '0.25',
      SANDBOX_OUTAGE: 'yes',
      SANDBOX_RECORD_LOG_SIZE: '500',
      SANDBOX_NO_DEVICE_BINDING: 'wv fp',
    });
    expect(standalone).toMatchObject({
      port: embedded.port,
      faults: embedded.faults,
      recordLogCapacity: embedded.recordLogCapacity,
      noDeviceBinding: embedded.noDeviceBinding,
    });
    expect(embedded).toMatchObject({ port: 4101, faults: { latencyMs: 250, errorRate: 0.25, outage: true } });
  });

  it('have the same defaults', () => {
    const { embedded, standalone } = bothEntryPoints({});
    expect(standalone).toMatchObject({
      port: embedded.port,
      faults: embedded.faults,
      recordLogCapacity: embedded.recordLogCapacity,
    });
  });

  // Each pair straddles a limit: the first value is accepted by both, the second refused by both.
  it.each([
    ['SANDBOX_PORT', '65535', '65536'],
    ['SANDBOX_LATENCY_MS', '120000', '120001'],
    ['SANDBOX_LATENCY_MS', '0', '-1'],
    ['SANDBOX_ERROR_RATE', '1', '1.01'],
    ['SANDBOX_RECORD_LOG_SIZE', '32', '31'],
    ['SANDBOX_RECORD_LOG_SIZE', '100000000', '100000001'],
    ['SANDBOX_OUTAGE', 'off', 'maybe'],
    ['SANDBOX_NO_DEVICE_BINDING', 'fp,wv', 'pr'],
  ])('agree on the limits of %s (%s accepted, %s refused)', (name, accepted, refused) => {
    expect(problemsOf(() => loadConfig({ [name]: accepted }))).toEqual([]);
    expect(problemsOf(() => sandboxOptionsFromEnv({ [name]: accepted }))).toEqual([]);
    const embedded = problemsOf(() => loadConfig({ [name]: refused }));
    const standalone = problemsOf(() => sandboxOptionsFromEnv({ [name]: refused }));
    expect(embedded).toHaveLength(1);
    expect(standalone).toEqual(embedded);
  });
});
