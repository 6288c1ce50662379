/**
 * What the ExpressPlay client needs to know, declared beside it: config/config.ts reads it from the environment
 * (EXPRESSPLAY_*), and nothing here depends on how.
 */
/**
 * ExpressPlay refuses a token that expires more than 30 days after it is issued (-2002). The service computes the
 * expiry on its own clock, so the longest token lifetime keeps an hour for the two clocks to disagree.
 */
export const MAX_TOKEN_TTL_SECONDS = 30 * 24 * 3600 - 3600;

export interface ExpressPlayConfig {
  /**
   * Base of the token services. `{drm}` is replaced by `fp`, `wv` or `pr`, since the real hosts differ per DRM
   * (`https://{drm}-gen.test.expressplay.com`); the path `/hms/<drm>/token` is appended.
   */
  readonly tokenBaseUrl: string;
  /** Base of record retrieval (`https://api.test.expressplay.com`); `/cmiapi/getrecord/` is appended. */
  readonly apiBaseUrl: string;
  /** `<id>,<32 hex>`. Secret. */
  readonly customerAuthenticator: string;
  /** Per attempt. */
  readonly timeoutMs: number;
  /** Extra attempts after a network fault, timeout or 5xx (never after a 4xx). */
  readonly retries: number;
  /** Consecutive unavailable failures that open the circuit, and how long it stays open. */
  readonly breakerFailureThreshold: number;
  readonly breakerResetMs: number;
  /**
   * Lifetime of a license token (its `expirationTime`), apart from the rights it carries: a token only has to live
   * until the device asks for its license, and `licenseToken` mints a fresh one whenever it is needed.
   */
  readonly tokenTtlSeconds: number;
}
