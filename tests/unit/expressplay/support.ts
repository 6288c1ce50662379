import { inspect } from 'node:util';
import { expect } from 'vitest';
import type { ExpressPlayConfig } from '../../../src/datasources/expressplay/config.js';
import {
  createExpressPlayClient,
  type ExpressPlayClientDeps,
  type ExpressPlayMetrics,
  type ExpressPlayOutcome,
} from '../../../src/datasources/expressplay/client.js';
import { createExpressPlayHttp } from '../../../src/datasources/expressplay/http.js';
import type { ExpressPlayClient, TokenRequest } from '../../../src/datasources/expressplay/types.js';

/** Distinctive values, so that a leak anywhere is easy to find. */
export const AUTH_SECRET = 'a5a5a5a5b6b6b6b6c7c7c7c7d8d8d8d8';
export const AUTHENTICATOR = `4242,${AUTH_SECRET}`;
export const CEK = 'c0ffeec0ffeec0ffeec0ffeec0ffee00';
export const KID = '0123456789abcdef0123456789abcdef';
export const IV = 'fedcba9876543210fedcba9876543210';
export const COOKIE = '00112233445566778899aabbccddeeff';
export const DEVICE = 'deadbeefdeadbeefdeadbeefdeadbeef';
export const SECRETS = [AUTH_SECRET, CEK] as const;

export function testConfig(url: string, overrides: Partial<ExpressPlayConfig> = {}): ExpressPlayConfig {
  return {
    // `{drm}` in the base, as with the real per-DRM hosts; here it becomes a path prefix on the fake.
    tokenBaseUrl: `${url}/{drm}-gen`,
    apiBaseUrl: url,
    customerAuthenticator: AUTHENTICATOR,
    timeoutMs: 300,
    retries: 2,
    breakerFailureThreshold: 1000,
    breakerResetMs: 1000,
    tokenTtlSeconds: 3600,
    ...overrides,
  };
}

export interface RecordedMetric {
  endpoint: string;
  outcome: ExpressPlayOutcome;
  seconds: number;
}

export function recordingMetrics(): ExpressPlayMetrics & { readonly records: RecordedMetric[] } {
  const records: RecordedMetric[] = [];
  return { records, record: (endpoint, outcome, seconds) => records.push({ endpoint, outcome, seconds }) };
}

/** A client against the fake with millisecond backoff, so retry tests stay fast. */
export function testClient(
  url: string,
  overrides: Partial<ExpressPlayConfig> = {},
  deps: ExpressPlayClientDeps = {},
): ExpressPlayClient {
  const config = testConfig(url, overrides);
  return createExpressPlayClient(config, {
    http: createExpressPlayHttp(config, { backoffBaseMs: 2, backoffMaxMs: 10 }),
    ...deps,
  });
}

export const fpBuy: TokenRequest = {
  drm: 'fp',
  contentKey: CEK,
  kid: KID,
  iv: IV,
  rights: { type: 'BuyToOwn' },
  cookie: COOKIE,
  deviceId: DEVICE,
};

export const FP_LICENSE_URL = 'https://fp.service.expressplay.com:80/hms/fp/rights/?ExpressPlayToken=AQAAAx-_tokenFP';

/** Every way an error gets printed or shipped: none may carry the authenticator or the CEK. */
export function expectNoSecrets(error: unknown): void {
  expect(error).toBeInstanceOf(Error);
  const e = error as Error;
  const renderings = [
    e.message,
    String(e),
    JSON.stringify(e),
    e.stack ?? '',
    inspect(e, { depth: 10, showHidden: true }),
    JSON.stringify(e.cause ?? null),
  ];
  for (const text of renderings) {
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toContain('customerAuthenticator=');
  }
  expect('options' in e).toBe(false);
  expect('response' in e).toBe(false);
}

export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
