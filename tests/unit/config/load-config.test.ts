import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SANDBOX_CUSTOMER_AUTHENTICATOR } from '../../../src/config/config.js';

describe('loadConfig', () => {
  it('defaults to the embedded sandbox and PGlite with no variables at all', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.sandbox).toMatchObject({ port: 4001, customerAuthenticator: SANDBOX_CUSTOMER_AUTHENTICATOR });
    expect(config.expressplay.tokenBaseUrl).toBe('http://127.0.0.1:4001');
    expect(config.database).toEqual({ url: undefined, dataDir: './data' });
    expect(config.policy.maxDevices).toBe(1);
    expect(config.graphql.introspection).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.sandbox).toMatchObject({ recordLogCapacity: 100_000, noDeviceBinding: [] });
    expect(loadConfig({ SANDBOX_NO_DEVICE_BINDING: 'fp', SANDBOX_RECORD_LOG_SIZE: '64' }).sandbox).toMatchObject({
      recordLogCapacity: 64,
      noDeviceBinding: ['fp'],
    });
  });

  it("reads the budget of ExpressPlay calls, which must cover a refresh of every one of a user's devices", () => {
    expect(loadConfig({}).policy).toMatchObject({ upstreamCallsPerRequest: 20, upstreamCallsPerMinute: 120 });
    expect(
      loadConfig({ UPSTREAM_CALLS_PER_REQUEST: '50', UPSTREAM_CALLS_PER_MINUTE: '600', MAX_DEVICES: '50' }).policy,
    ).toMatchObject({ upstreamCallsPerRequest: 50, upstreamCallsPerMinute: 600 });
    expect(() => loadConfig({ UPSTREAM_CALLS_PER_MINUTE: '0' })).toThrow(/UPSTREAM_CALLS_PER_MINUTE must be a whole number/);
    expect(() => loadConfig({ UPSTREAM_CALLS_PER_REQUEST: 'lots' })).toThrow(/UPSTREAM_CALLS_PER_REQUEST must be a whole number/);
    expect(loadConfig({ MAX_DEVICES: '30' }).policy.upstreamCallsPerRequest).toBe(30);
    expect(() => loadConfig({ MAX_DEVICES: '30', UPSTREAM_CALLS_PER_REQUEST: '20' })).toThrow(
      /UPSTREAM_CALLS_PER_REQUEST \(20\) must be at least MAX_DEVICES \(30\)/,
    );
  });

  it('points at a real ExpressPlay with configuration alone', () => {
    const config = loadConfig({
      EXPRESSPLAY_TOKEN_BASE: 'https://{drm}-gen.test.expressplay.com/',
      EXPRESSPLAY_API_BASE: 'https://api.test.expressplay.com',
      EXPRESSPLAY_CUSTOMER_AUTHENTICATOR: `201722,${'1a'.repeat(16)}`,
    });
    expect(config.sandbox).toBeNull();
    expect(config.expressplay.tokenBaseUrl).toBe('https://{drm}-gen.test.expressplay.com');
    expect(config.expressplay.customerAuthenticator).toBe(`201722,${'1a'.repeat(16)}`);
  });

  it('lists every bad variable at once, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        EXPRESSPLAY_TOKEN_BASE: 'ftp://x',
        EXPRESSPLAY_CUSTOMER_AUTHENTICATOR: 'secret-value-123',
        MAX_DEVICES: '0',
        TRUSTED_DOCUMENTS: 'maybe',
        CONTENT_KEY_ENCRYPTION_KEY: 'short',
        SANDBOX_ERROR_RATE: '2',
        SANDBOX_NO_DEVICE_BINDING: 'pr',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/EXPRESSPLAY_TOKEN_BASE must be an http\(s\) URL/);
    expect(problems.join('\n')).toMatch(/go together/);
    expect(problems.join('\n')).toMatch(/MAX_DEVICES/);
    expect(problems.join('\n')).toMatch(/TRUSTED_DOCUMENTS/);
    expect(problems.join('\n')).toMatch(/CONTENT_KEY_ENCRYPTION_KEY/);
    expect(problems.join('\n')).toMatch(/SANDBOX_ERROR_RATE/);
    expect(problems.join('\n')).toMatch(/SANDBOX_NO_DEVICE_BINDING lists fp, wv or both/);
    expect(message).not.toContain('secret-value-123');
  });

  it('refuses development secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_JWT_SECRET or AUTH_JWKS_URL/);
    const prod = loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'p'.repeat(40) });
    expect(prod.graphql).toMatchObject({ introspection: false, graphiql: false });
  });
});
