/**
 * The HTTP implementation of `ExpressPlayClient`. Token requests are POSTs with a form body, which keeps the
 * authenticator and the CEK out of URLs (and so out of got's error messages and any proxy log); getrecord is a GET
 * as documented, and http.ts redacts its errors. A circuit breaker per upstream origin makes a dead ExpressPlay
 * cost nothing after a few failures.
 */
import type { Got } from 'got';
import type { Logger } from 'pino';
import type { ExpressPlayConfig } from './config.js';
import { CircuitBreaker } from './circuit-breaker.js';
import {
  ExpressPlayCircuitOpenError,
  ExpressPlayError,
  ExpressPlayRejectedError,
  ExpressPlayUnavailableError,
  type ExpressPlayOperation,
} from './errors.js';
import { createExpressPlayHttp, type ExpressPlayRequestContext } from './http.js';
import type { DrmSystem, ExpressPlayClient, LicenseRecord, TokenRequest, TokenResult } from './types.js';
import { buildTokenForm, getrecordQuery, getrecordUrl, parseRecords, parseTokenResponse, tokenUrl } from './wire.js';

export type ExpressPlayOutcome = 'ok' | 'rejected' | 'unavailable' | 'circuit_open';

/** Called once per logical call, after retries. `seconds` is wall time including retries and backoff. */
export interface ExpressPlayMetrics {
  record(endpoint: ExpressPlayOperation, outcome: ExpressPlayOutcome, seconds: number): void;
}

export interface ExpressPlayClientDeps {
  /** Defaults to `createExpressPlayHttp(config)`. Anything passed here must redact its errors the same way. */
  readonly http?: Got;
  readonly logger?: Logger;
  readonly metrics?: ExpressPlayMetrics;
  /** Milliseconds from any fixed origin, for the breaker and durations (default `performance.now()`). */
  readonly now?: () => number;
}

export function createExpressPlayClient(
  config: ExpressPlayConfig,
  deps: ExpressPlayClientDeps = {},
): ExpressPlayClient {
  const http = deps.http ?? createExpressPlayHttp(config);
  // One instance per kind of call, made once: got merges every call's options into its defaults, so headers and
  // context given per call cost CPU on every call (about a tenth of one, against a local server).
  const withDefaults = (accept: string, operation: ExpressPlayOperation, contentType?: string): Got =>
    http.extend({
      headers: { accept, ...(contentType && { 'content-type': contentType }) },
      context: { operation } satisfies ExpressPlayRequestContext,
    });
  const formBody = 'application/x-www-form-urlencoded';
  const tokenHttp = {
    // PlayReady's token service answers JSON; FairPlay's and Widevine's a license URL as text.
    json: withDefaults('application/json', 'token', formBody),
    uriList: withDefaults('text/uri-list', 'token', formBody),
  };
  const getrecordHttp = withDefaults('application/json', 'getrecord');
  const { logger, metrics } = deps;
  const now = deps.now ?? (() => performance.now());

  // Real deployments have one host per DRM plus the API host; one breaker each, so a dead fp-gen does not stop
  // Widevine tokens or record lookups. Against the sandbox they all share one origin, hence one breaker.
  const breakers = new Map<string, CircuitBreaker>();
  const breakerFor = (url: string): CircuitBreaker => {
    const origin = new URL(url).origin;
    let breaker = breakers.get(origin);
    if (breaker === undefined) {
      breaker = new CircuitBreaker({
        failureThreshold: config.breakerFailureThreshold,
        resetMs: config.breakerResetMs,
        now,
        onStateChange: (state) => {
          if (state === 'open') logger?.warn({ upstream: origin }, 'ExpressPlay circuit opened: failing fast');
          else logger?.info({ upstream: origin, state }, 'ExpressPlay circuit state changed');
        },
      });
      breakers.set(origin, breaker);
    }
    return breaker;
  };

  async function call<T>(
    endpoint: ExpressPlayOperation,
    url: string,
    drm: DrmSystem | undefined,
    send: () => Promise<{ statusCode: number; body: string }>,
    parse: (status: number, body: string) => T,
  ): Promise<T> {
    const started = now();
    const breaker = breakerFor(url);
    const finish = (outcome: ExpressPlayOutcome, status: number | undefined, upstreamCode?: number): void => {
      const seconds = Math.max(0, now() - started) / 1000;
      metrics?.record(endpoint, outcome, seconds);
      logger?.debug(
        { endpoint, drm, status, upstreamCode, outcome, durationMs: Math.round(seconds * 1000) },
        'ExpressPlay call',
      );
    };

    const permit = breaker.acquire();
    if (!permit.allowed) {
      finish('circuit_open', undefined);
      throw new ExpressPlayCircuitOpenError(endpoint, permit.retryAfterMs);
    }

    let status: number | undefined;
    try {
      const response = await send();
      status = response.statusCode;
      const result = parse(status, response.body);
      breaker.success();
      finish('ok', status);
      return result;
    } catch (caught) {
      // Everything from got went through http.ts's beforeError already; anything else is wrapped without its
      // message, which we did not write and cannot vouch for.
      const error =
        caught instanceof ExpressPlayError
          ? caught
          : new ExpressPlayUnavailableError(
              `ExpressPlay ${endpoint} request failed: unexpected error`,
              endpoint,
              status,
              undefined,
            );
      if (error instanceof ExpressPlayRejectedError) {
        breaker.success(); // ExpressPlay answered: it is up, the request was wrong.
        finish('rejected', error.status, error.upstreamCode);
      } else {
        breaker.failure();
        finish('unavailable', error.status, error.upstreamCode);
      }
      throw error;
    }
  }

  return {
    async requestToken(request: TokenRequest): Promise<TokenResult> {
      // Built before the breaker is asked: a malformed request is a bug here, not an upstream failure.
      const form = buildTokenForm(request, config.customerAuthenticator);
      const url = tokenUrl(config.tokenBaseUrl, request.drm);
      const client = request.drm === 'pr' ? tokenHttp.json : tokenHttp.uriList;
      const licenseUrl = await call(
        'token',
        url,
        request.drm,
        () => client.post(url, { body: form.toString() }),
        (status, body) => parseTokenResponse(request.drm, status, body),
      );
      return { licenseUrl };
    },

    async recordsByCookie(cookie: string): Promise<readonly LicenseRecord[]> {
      const url = getrecordUrl(config.apiBaseUrl);
      return call(
        'getrecord',
        url,
        undefined,
        () => getrecordHttp.get(`${url}?${getrecordQuery(cookie, config.customerAuthenticator).toString()}`),
        parseRecords,
      );
    },
  };
}
