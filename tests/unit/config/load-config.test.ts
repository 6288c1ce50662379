import { describe, expect, it } from 'vitest';
import { DEV_TOKEN_TTL_SECONDS } from '../../../src/auth/dev-token.js';
import {
  ConfigError,
  loadConfig,
  MAX_TOKEN_TTL_SECONDS,
  SANDBOX_CUSTOMER_AUTHENTICATOR,
} from '../../../src/config/config.js';

describe('loadConfig', () => {
  it('defaults to the embedded sandbox and PGlite with no variables at all', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.sandbox).toMatchObject({ port: 4001, customerAuthenticator: SANDBOX_CUSTOMER_AUTHENTICATOR });
    expect(config.expressplay.tokenBaseUrl).toBe('http://127.0.0.1:4001');
    expect(config.database).toEqual({
      url: undefined,
      dataDir: './data',
      poolSize: 10,
      poolIdleSeconds: 300,
      preparedStatements: true,
    });
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
    expect(() => loadConfig({ UPSTREAM_CALLS_PER_MINUTE: '0' })).toThrow(
      /UPSTREAM_CALLS_PER_MINUTE must be a whole number/,
    );
    expect(() => loadConfig({ UPSTREAM_CALLS_PER_REQUEST: 'lots' })).toThrow(
      /UPSTREAM_CALLS_PER_REQUEST must be a whole number/,
    );
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

  it('caps token lifetimes at 24 h unless AUTH_MAX_TOKEN_LIFETIME says otherwise, above what npm run token mints', () => {
    expect(loadConfig({}).auth.maxTokenLifetimeSeconds).toBe(86_400);
    expect(DEV_TOKEN_TTL_SECONDS).toBeLessThanOrEqual(loadConfig({}).auth.maxTokenLifetimeSeconds);
    expect(loadConfig({ AUTH_MAX_TOKEN_LIFETIME: '3600' }).auth.maxTokenLifetimeSeconds).toBe(3600);
    expect(() => loadConfig({ AUTH_MAX_TOKEN_LIFETIME: '1e20' })).toThrow(/AUTH_MAX_TOKEN_LIFETIME/);
  });

  it('serves /metrics openly only outside production, and with METRICS_TOKEN anywhere', () => {
    const secret = { AUTH_JWT_SECRET: 'p'.repeat(40) };
    expect(loadConfig({}).metrics).toEqual({ token: undefined, enabled: true });
    expect(loadConfig({ NODE_ENV: 'production', ...secret }).metrics).toEqual({ token: undefined, enabled: false });
    expect(loadConfig({ NODE_ENV: 'production', ...secret, METRICS_TOKEN: 'm'.repeat(16) }).metrics).toEqual({
      token: 'm'.repeat(16),
      enabled: true,
    });
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16/);
  });

  it('bounds the HTTP listener by default, and keeps the header deadline within the request deadline', () => {
    expect(loadConfig({}).http).toEqual({
      maxConnections: 1000,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5000,
    });
    expect(
      loadConfig({ HTTP_MAX_CONNECTIONS: '50', HTTP_HEADERS_TIMEOUT_MS: '300', HTTP_REQUEST_TIMEOUT_MS: '300' }).http,
    ).toMatchObject({
      maxConnections: 50,
      headersTimeoutMs: 300,
      requestTimeoutMs: 300,
    });
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS must not be more/,
    );
    expect(() => loadConfig({ HTTP_MAX_CONNECTIONS: '0' })).toThrow(/HTTP_MAX_CONNECTIONS/);
  });

  it('keeps bindings and titles in process for at most 5 s by default; 0 entries turns a cache off', () => {
    expect(loadConfig({}).cache).toEqual({ ttlMs: 5000, bindings: 10_000, catalog: 1000 });
    expect(loadConfig({ CACHE_TTL_MS: '250', BINDING_CACHE_SIZE: '0', CATALOG_CACHE_SIZE: '10' }).cache).toEqual({
      ttlMs: 250,
      bindings: 0,
      catalog: 10,
    });
    expect(() => loadConfig({ CACHE_TTL_MS: '0', BINDING_CACHE_SIZE: '-1', CATALOG_CACHE_SIZE: 'many' })).toThrow(
      /CACHE_TTL_MS[\s\S]*BINDING_CACHE_SIZE[\s\S]*CATALOG_CACHE_SIZE/,
    );
  });

  it('keeps up to 10 PostgreSQL connections, each open for 300 s unused by default; 0 keeps them open', () => {
    expect(loadConfig({}).database).toMatchObject({ poolSize: 10, poolIdleSeconds: 300 });
    expect(loadConfig({ DATABASE_POOL_SIZE: '25', DATABASE_POOL_IDLE_SECONDS: '0' }).database).toMatchObject({
      poolSize: 25,
      poolIdleSeconds: 0,
    });
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).database.preparedStatements).toBe(false);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0', DATABASE_POOL_IDLE_SECONDS: '-5' })).toThrow(
      /DATABASE_POOL_SIZE[\s\S]*DATABASE_POOL_IDLE_SECONDS/,
    );
  });

  it("reads TOKEN_TTL: one hour by default, and never past ExpressPlay's 30-day token limit", () => {
    expect(loadConfig({}).expressplay.tokenTtlSeconds).toBe(3600);
    expect(loadConfig({ TOKEN_TTL: '600' }).expressplay.tokenTtlSeconds).toBe(600);
    expect(MAX_TOKEN_TTL_SECONDS).toBeLessThan(30 * 24 * 3600);
    expect(loadConfig({ TOKEN_TTL: String(MAX_TOKEN_TTL_SECONDS) }).expressplay.tokenTtlSeconds).toBe(
      MAX_TOKEN_TTL_SECONDS,
    );
    for (const bad of ['2592000', '59', 'an hour']) {
      expect(() => loadConfig({ TOKEN_TTL: bad }), bad).toThrow(/TOKEN_TTL must be a whole number from 60 to 2588400/);
    }
    // The dummy binding token lives as long as a binding may stay PENDING.
    expect(() => loadConfig({ BINDING_PENDING_TTL: '2592000' })).toThrow(
      /BINDING_PENDING_TTL must be a whole number from 1 to 2588400/,
    );
  });

  it('runs a webhook worker by default, keeps private URLs refused, and never allows them in production', () => {
    expect(loadConfig({}).webhooks).toEqual({
      workerEnabled: true,
      pollIntervalMs: 5000,
      timeoutMs: 10_000,
      retryWindowSeconds: 86_400,
      backoffBaseMs: 5000,
      backoffMaxMs: 3_600_000,
      allowPrivateUrls: false,
    });
    expect(
      loadConfig({ WEBHOOK_WORKER: 'false', WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_WINDOW: '60' }).webhooks,
    ).toMatchObject({ workerEnabled: false, allowPrivateUrls: true, retryWindowSeconds: 60 });
    expect(() => loadConfig({ WEBHOOK_BACKOFF_BASE_MS: '5000', WEBHOOK_BACKOFF_MAX_MS: '1000' })).toThrow(
      /WEBHOOK_BACKOFF_BASE_MS must not be more than WEBHOOK_BACKOFF_MAX_MS/,
    );
    expect(() => loadConfig({ WEBHOOK_POLL_INTERVAL_MS: '0' })).toThrow(/WEBHOOK_POLL_INTERVAL_MS/);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(32), WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }),
    ).toThrow(/WEBHOOK_ALLOW_PRIVATE_URLS=true is for tests/);
  });

  it('refuses development secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_JWT_SECRET or AUTH_JWKS_URL/);
    const prod = loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'p'.repeat(40) });
    expect(prod.graphql).toMatchObject({ introspection: false, graphiql: false });
  });
});
