import { randomBytes } from 'node:crypto';
import { startApp, type AppOverrides, type RunningApp } from '../../src/app.js';
import { signDevToken } from '../../src/auth/dev-token.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createTestStore, type TestStoreBackend } from './test-store.js';

export interface TestApp extends RunningApp {
  token(userId: string, options?: { admin?: boolean; ttlSeconds?: number }): Promise<string>;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphqlResponse<T>>;
}

export interface GraphqlResponse<T> {
  status: number;
  data?: T | null;
  errors?: Array<{
    message: string;
    path?: string[];
    extensions?: { code?: string; field?: string; [k: string]: unknown };
  }>;
}

/**
 * The real app on port 0 with the embedded sandbox (also on port 0), a fresh test store and quiet logs.
 * `env` adds or overrides configuration variables.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  overrides: AppOverrides = {},
  backend?: TestStoreBackend,
): Promise<TestApp> {
  const secret = env.AUTH_JWT_SECRET || randomBytes(32).toString('hex');
  const config = loadConfig({
    PORT: '0',
    SANDBOX_PORT: '0',
    LOG_LEVEL: 'silent',
    CONTENT_KEY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    DEVICE_SWAP_COOLDOWN: '0',
    RATE_LIMIT_PER_MINUTE: '1000',
    UPSTREAM_CALLS_PER_MINUTE: '100000',
    ...env,
    AUTH_JWT_SECRET: secret,
  });
  const store = overrides.store ?? (await createTestStore(backend));
  const app = await startApp(config, {
    logger: createLogger('silent'),
    ...overrides,
    store,
  });
  return {
    ...app,
    async stop() {
      await app.stop();
      if (!overrides.store) await store.close();
    },
    token: (userId, options) => signDevToken(secret, userId, options),
    async gql(query, variables, options = {}) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as GraphqlResponse<never>;
      return { ...body, status: response.status };
    },
  };
}
