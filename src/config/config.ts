/**
 * The service's configuration, read once at start-up from the environment and passed down. Nothing else in the
 * service reads `process.env`. Every default points at the embedded sandbox and database, so `npm start` needs
 * no server and no credential; pointing at the real ExpressPlay is configuration alone.
 */
import {
  DEFAULT_SANDBOX_AUTHENTICATOR,
  envReader,
  sandboxSettingsFromEnv,
  type Env,
  type SandboxSettings,
} from '../sandbox/sandbox-env.js';
import { MAX_TOKEN_TTL_SECONDS, type ExpressPlayConfig } from '../datasources/expressplay/config.js';

export type { ExpressPlayConfig };

export { MAX_TOKEN_TTL_SECONDS };

/**
 * The embedded sandbox: the settings `npm run sandbox` reads too (one parser, in the sandbox), on loopback, accepting
 * the service's own authenticator.
 */
export interface SandboxConfig extends SandboxSettings {
  readonly host: string;
  readonly customerAuthenticator: string;
}

export interface AuthConfig {
  /** HS256 secret; when unset and no JWKS URL is set, a development secret is kept in the data folder. */
  readonly jwtSecret: string | undefined;
  /** RS256 through a JWKS endpoint. */
  readonly jwksUrl: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  /**
   * Longest lifetime a token may claim, in seconds: one whose `exp` lies further ahead (or further from its `iat`)
   * is refused, so a leaked or hand-made token cannot stay valid for ever.
   */
  readonly maxTokenLifetimeSeconds: number;
}

export interface DatabaseConfig {
  /** A real PostgreSQL server; unset means embedded PGlite in `dataDir`. */
  readonly url: string | undefined;
  readonly dataDir: string;
  /** Connections to `url` this process opens at most. */
  readonly poolSize: number;
  /** Seconds an unused connection stays open before the pool closes it; 0 keeps it open. */
  readonly poolIdleSeconds: number;
  /** Statements run prepared on each connection; off behind a pooler that cannot keep them (PgBouncer's transaction mode). */
  readonly preparedStatements: boolean;
}

export interface PolicyConfig {
  /** Active (PENDING or BOUND) bindings a user may hold at once. */
  readonly maxDevices: number;
  /** Seconds after a revocation before the freed slot can be used again. */
  readonly deviceSwapCooldownSeconds: number;
  /** Seconds a binding may stay PENDING before it expires. */
  readonly pendingBindingTtlSeconds: number;
  /** bindDevice, purchase and rent calls a user may make per minute (each counted apart). */
  readonly mutationsPerMinute: number;
  /** Calls to ExpressPlay (tokens, record retrievals) one HTTP request may make, for whichever user. */
  readonly upstreamCallsPerRequest: number;
  /** Calls to ExpressPlay a user's requests may make per minute, counted in the database. */
  readonly upstreamCallsPerMinute: number;
}

export interface GraphqlConfig {
  readonly introspection: boolean;
  readonly graphiql: boolean;
  readonly maxDepth: number;
  readonly maxCost: number;
  readonly maxAliases: number;
  readonly maxBatch: number;
  readonly bodyLimitBytes: number;
  /** `off`: any operation; `allow`: any, plus persisted ids; `only`: persisted operations only. */
  readonly trustedDocuments: 'off' | 'allow' | 'only';
}

/**
 * Bounds on what slow or many clients can hold: each open request may buffer up to the body limit, so a client
 * that opens thousands of connections and trickles nearly complete bodies would otherwise hold that much heap.
 */
export interface HttpServerConfig {
  /** Connections held at once; past it, new ones are closed as soon as they are accepted. */
  readonly maxConnections: number;
  /** Time a client has to send a request's headers, and the whole request (headers and body). */
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open; above a load balancer's idle timeout if one is in front. */
  readonly keepAliveTimeoutMs: number;
}

/**
 * In-process caches of rows that rarely change, kept right across replicas by the store's change notifications, each
 * entry served for at most `ttlMs` as a backstop. 0 entries turns a cache off.
 */
export interface CacheConfig {
  readonly ttlMs: number;
  /** PENDING and BOUND bindings, for deviceBinding lookups. */
  readonly bindings: number;
  /** Catalog titles, for purchases, rentals and license tokens. */
  readonly catalog: number;
}

export interface MetricsConfig {
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`. Secret. */
  readonly token: string | undefined;
  /**
   * Whether `/metrics` is served at all: always with a token, and without one only outside production, since
   * an open endpoint tells anyone the process's internals and upstream error rates.
   */
  readonly enabled: boolean;
}

export interface WebhooksConfig {
  /** Whether this process runs a delivery worker (any number of replicas may). */
  readonly workerEnabled: boolean;
  /** How often the worker looks for due deliveries; a commit in this process wakes it sooner. */
  readonly pollIntervalMs: number;
  /** One POST's whole time (connect, send, answer), after which the attempt counts as a TIMEOUT. */
  readonly timeoutMs: number;
  /** Seconds after a delivery is queued (or replayed) past which it is not retried: FAILED. */
  readonly retryWindowSeconds: number;
  /** The first retry's longest wait; each further one doubles it (full jitter), up to backoffMaxMs. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** http:// and loopback, private, link-local... addresses allowed (tests, a local walk-through). Never in production. */
  readonly allowPrivateUrls: boolean;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Base URL clients reach this service at (used in the dummy stream's URL); default http://localhost:<port>. */
  readonly publicUrl: string | undefined;
  readonly logLevel: string;
  readonly production: boolean;
  /** Null when the embedded sandbox is in use; then `sandbox` says where it listens. */
  readonly expressplay: ExpressPlayConfig;
  readonly sandbox: SandboxConfig | null;
  readonly auth: AuthConfig;
  readonly database: DatabaseConfig;
  /** 32 bytes, or undefined for the embedded default (generated once and kept in the data folder). */
  readonly contentKeyEncryptionKey: Buffer | undefined;
  readonly policy: PolicyConfig;
  readonly cache: CacheConfig;
  readonly graphql: GraphqlConfig;
  readonly metrics: MetricsConfig;
  readonly http: HttpServerConfig;
  readonly webhooks: WebhooksConfig;
}

/** Every bad variable at once, so an operator fixes them in one go. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** A well-known, obviously fake authenticator: the sandbox accepts it and nothing real ever will. */
export const SANDBOX_CUSTOMER_AUTHENTICATOR = DEFAULT_SANDBOX_AUTHENTICATOR;

export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  // The sandbox's readers, so that every variable, SANDBOX_* or not, is read and reported the same way.
  const { str, number, bool } = envReader(env, problems);
  const int = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number =>
    number(name, fallback, min, max);
  const url = (name: string): string | undefined => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw.replace('{drm}', 'fp'));
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL, got "${raw}"`);
      return undefined;
    }
  };

  const production = str('NODE_ENV') === 'production';
  const port = int('PORT', 4000, 0, 65535);
  const host = str('HOST') ?? '127.0.0.1';
  const publicUrl = url('PUBLIC_URL');

  const tokenBase = url('EXPRESSPLAY_TOKEN_BASE');
  const apiBase = url('EXPRESSPLAY_API_BASE');
  const authenticator = str('EXPRESSPLAY_CUSTOMER_AUTHENTICATOR');
  const upstreamSet = [tokenBase, apiBase, authenticator].filter((v) => v !== undefined).length;
  if (upstreamSet > 0 && upstreamSet < 3) {
    problems.push(
      'EXPRESSPLAY_TOKEN_BASE, EXPRESSPLAY_API_BASE and EXPRESSPLAY_CUSTOMER_AUTHENTICATOR go together: set all three to use a real ExpressPlay, or none for the embedded sandbox',
    );
  }
  if (authenticator !== undefined && !/^\d+,[0-9a-fA-F]{32}$/.test(authenticator)) {
    problems.push('EXPRESSPLAY_CUSTOMER_AUTHENTICATOR must look like "<id>,<32 hex digits>"');
  }
  const sandbox: SandboxConfig | null =
    upstreamSet === 3
      ? null
      : {
          ...sandboxSettingsFromEnv(env, problems),
          host: '127.0.0.1',
          customerAuthenticator: SANDBOX_CUSTOMER_AUTHENTICATOR,
        };
  const sandboxBase = sandbox ? `http://127.0.0.1:${sandbox.port}` : '';

  const expressplay: ExpressPlayConfig = {
    tokenBaseUrl: sandbox ? sandboxBase : tokenBase!,
    apiBaseUrl: sandbox ? sandboxBase : apiBase!,
    customerAuthenticator: sandbox ? sandbox.customerAuthenticator : authenticator!,
    timeoutMs: int('EXPRESSPLAY_TIMEOUT_MS', 5000, 50, 120_000),
    retries: int('EXPRESSPLAY_RETRIES', 2, 0, 10),
    breakerFailureThreshold: int('EXPRESSPLAY_BREAKER_THRESHOLD', 5, 1, 1000),
    breakerResetMs: int('EXPRESSPLAY_BREAKER_RESET_MS', 10_000, 100, 600_000),
    tokenTtlSeconds: int('TOKEN_TTL', 3600, 60, MAX_TOKEN_TTL_SECONDS),
  };

  const jwksUrl = url('AUTH_JWKS_URL');
  const jwtSecret = str('AUTH_JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    problems.push('AUTH_JWT_SECRET must be at least 32 characters');
  }
  if (production && jwtSecret === undefined && jwksUrl === undefined) {
    problems.push('NODE_ENV=production needs AUTH_JWT_SECRET or AUTH_JWKS_URL (no development secret in production)');
  }

  let contentKeyEncryptionKey: Buffer | undefined;
  const kek = str('CONTENT_KEY_ENCRYPTION_KEY');
  if (kek !== undefined) {
    const buf = /^[0-9a-fA-F]{64}$/.test(kek) ? Buffer.from(kek, 'hex') : Buffer.from(kek, 'base64');
    if (buf.length !== 32) {
      problems.push('CONTENT_KEY_ENCRYPTION_KEY must be 32 bytes, as 64 hex digits or base64');
    } else {
      contentKeyEncryptionKey = buf;
    }
  } else if (production && str('DATABASE_URL') !== undefined) {
    problems.push('NODE_ENV=production with DATABASE_URL needs CONTENT_KEY_ENCRYPTION_KEY');
  }

  const headersTimeoutMs = int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestTimeoutMs = int('HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    problems.push(
      'HTTP_HEADERS_TIMEOUT_MS must not be more than HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
    );
  }

  const metricsToken = str('METRICS_TOKEN');
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,}$/.test(metricsToken)) {
    problems.push('METRICS_TOKEN must be at least 16 printable characters without spaces');
  }

  const trusted = str('TRUSTED_DOCUMENTS') ?? 'off';
  if (trusted !== 'off' && trusted !== 'allow' && trusted !== 'only') {
    problems.push(`TRUSTED_DOCUMENTS must be off, allow or only, got "${trusted}"`);
  }

  const maxDevices = int('MAX_DEVICES', 1, 1, 100);
  // At least MAX_DEVICES by default, like the check below: deviceBindings checks each PENDING binding.
  const upstreamCallsPerRequest = int('UPSTREAM_CALLS_PER_REQUEST', Math.max(20, maxDevices), 1, 10_000);
  if (upstreamCallsPerRequest < maxDevices) {
    problems.push(
      `UPSTREAM_CALLS_PER_REQUEST (${upstreamCallsPerRequest}) must be at least MAX_DEVICES (${maxDevices}), so that deviceBindings can check every binding with ExpressPlay`,
    );
  }

  const backoffBaseMs = int('WEBHOOK_BACKOFF_BASE_MS', 5000, 1, 3_600_000);
  const backoffMaxMs = int('WEBHOOK_BACKOFF_MAX_MS', 3_600_000, 1, 86_400_000);
  if (backoffBaseMs > backoffMaxMs) {
    problems.push('WEBHOOK_BACKOFF_BASE_MS must not be more than WEBHOOK_BACKOFF_MAX_MS');
  }
  const allowPrivateUrls = bool('WEBHOOK_ALLOW_PRIVATE_URLS', false);
  if (production && allowPrivateUrls) {
    problems.push(
      'WEBHOOK_ALLOW_PRIVATE_URLS=true is for tests and local walk-throughs: with NODE_ENV=production an admin could make the service call its own network',
    );
  }

  const config: Config = {
    port,
    host,
    publicUrl,
    logLevel: str('LOG_LEVEL') ?? 'info',
    production,
    expressplay,
    sandbox,
    auth: {
      jwtSecret,
      jwksUrl,
      issuer: str('AUTH_ISSUER'),
      audience: str('AUTH_AUDIENCE'),
      maxTokenLifetimeSeconds: int('AUTH_MAX_TOKEN_LIFETIME', 86_400, 60, 366 * 86_400),
    },
    database: {
      url: str('DATABASE_URL'),
      dataDir: str('DATA_DIR') ?? './data',
      poolSize: int('DATABASE_POOL_SIZE', 10, 1, 1000),
      poolIdleSeconds: int('DATABASE_POOL_IDLE_SECONDS', 300, 0, 86_400),
      preparedStatements: bool('DATABASE_PREPARED_STATEMENTS', true),
    },
    contentKeyEncryptionKey,
    policy: {
      maxDevices,
      deviceSwapCooldownSeconds: int('DEVICE_SWAP_COOLDOWN', 86_400, 0),
      // It is also the dummy token's lifetime, which ExpressPlay caps at 30 days.
      pendingBindingTtlSeconds: int('BINDING_PENDING_TTL', 3600, 1, MAX_TOKEN_TTL_SECONDS),
      mutationsPerMinute: int('RATE_LIMIT_PER_MINUTE', 30, 1),
      upstreamCallsPerRequest,
      upstreamCallsPerMinute: int('UPSTREAM_CALLS_PER_MINUTE', 120, 1),
    },
    cache: {
      ttlMs: int('CACHE_TTL_MS', 5000, 100, 600_000),
      bindings: int('BINDING_CACHE_SIZE', 10_000, 0, 1_000_000),
      catalog: int('CATALOG_CACHE_SIZE', 1000, 0, 1_000_000),
    },
    graphql: {
      introspection: bool('GRAPHQL_INTROSPECTION', !production),
      graphiql: bool('GRAPHIQL', !production),
      maxDepth: int('GRAPHQL_MAX_DEPTH', 8, 2, 100),
      maxCost: int('GRAPHQL_MAX_COST', 1000, 10),
      maxAliases: int('GRAPHQL_MAX_ALIASES', 60, 1),
      maxBatch: int('GRAPHQL_MAX_BATCH', 10, 1),
      bodyLimitBytes: int('GRAPHQL_BODY_LIMIT', 100_000, 1000),
      trustedDocuments: trusted as GraphqlConfig['trustedDocuments'],
    },
    metrics: { token: metricsToken, enabled: metricsToken !== undefined || !production },
    http: {
      maxConnections: int('HTTP_MAX_CONNECTIONS', 1000, 1, 1_000_000),
      headersTimeoutMs,
      requestTimeoutMs,
      keepAliveTimeoutMs: int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 5000, 100, 600_000),
    },
    webhooks: {
      workerEnabled: bool('WEBHOOK_WORKER', true),
      pollIntervalMs: int('WEBHOOK_POLL_INTERVAL_MS', 5000, 10, 600_000),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 50, 120_000),
      retryWindowSeconds: int('WEBHOOK_RETRY_WINDOW', 86_400, 1, 30 * 86_400),
      backoffBaseMs,
      backoffMaxMs,
      allowPrivateUrls,
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
