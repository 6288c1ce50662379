/**
 * The one configured HTTP client for ExpressPlay. Its `beforeError` hook is the redaction point: got 14.6.6 puts
 * the full URL, query string included, into `HTTPError.message`, and `error.options`, `JSON.stringify(error)` and
 * the error's `cause` chain carry it too. getrecord is a GET with `customerAuthenticator` in its query, so every
 * got error is replaced here by an `ExpressPlayError` built from the operation, path, status, ExpressPlay's numeric
 * code and got's error code only. Nothing of got's error (options, message, response) is kept.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { HTTPError, type Got, type RequestError, type RetryObject } from 'got';
import type { ExpressPlayConfig } from './config.js';
import {
  ExpressPlayError,
  ExpressPlayRejectedError,
  ExpressPlayUnavailableError,
  type ExpressPlayOperation,
} from './errors.js';
import { GETRECORD_PATH, parseErrorCode } from './wire.js';

export interface ExpressPlayHttpOptions {
  /** First retry waits about this long; each further retry doubles it (default 200 ms). */
  readonly backoffBaseMs?: number;
  /** Upper bound of one retry delay (default 2000 ms). */
  readonly backoffMaxMs?: number;
}

/** What `cause` holds on our errors: enough to tell failures apart in a log, never a URL or a body. */
export interface ExpressPlayErrorCause {
  readonly kind: 'http' | 'timeout' | 'network' | 'invalid_response' | 'circuit_open';
  /** got's or Node's error code (`ETIMEDOUT`, `ECONNRESET`, `ERR_NON_2XX_3XX_RESPONSE`...). */
  readonly code?: string;
  /** URL path only, without query. */
  readonly path?: string;
}

const FIVE_XX = Array.from({ length: 100 }, (_, i) => 500 + i);

/** Network faults worth another attempt (got's list plus a reset mid-response). */
const RETRY_ERROR_CODES = [
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EADDRINUSE',
  'EPIPE',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
];

/** Set per request by the client; read back in the hook. Falls back to the path. */
export interface ExpressPlayRequestContext extends Record<string, unknown> {
  readonly operation: ExpressPlayOperation;
}

/**
 * Exponential backoff with "equal jitter": half the exponential step plus a random half, so concurrent callers do
 * not retry in lockstep. got calls this for every failure; `computedValue` 0 means its own rules (limit, methods,
 * status codes, error codes) say no retry, and 0 from here means the same.
 */
export function backoffDelay(attemptCount: number, baseMs: number, maxMs: number, random = Math.random): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, attemptCount - 1));
  return Math.max(1, Math.round(step / 2 + random() * (step / 2)));
}

/**
 * Connections kept open between calls: a purchase's token request then costs one round trip, not a TCP (and TLS)
 * handshake first. LIFO hands out the most recently used socket, so a quiet period lets the others time out.
 */
export const KEEP_ALIVE = {
  keepAlive: true,
  maxSockets: 256,
  maxFreeSockets: 32,
  scheduling: 'lifo',
  timeout: 60_000,
} as const;

export function createExpressPlayHttp(config: ExpressPlayConfig, options: ExpressPlayHttpOptions = {}): Got {
  const baseMs = options.backoffBaseMs ?? 200;
  const maxMs = options.backoffMaxMs ?? 2000;
  return got.extend({
    agent: { http: new HttpAgent(KEEP_ALIVE), https: new HttpsAgent(KEEP_ALIVE) },
    timeout: { request: config.timeoutMs },
    // A redirect would resend the form (authenticator and CEK) to wherever it points; ExpressPlay does not
    // redirect API calls, so a 3xx is treated as an unexpected answer instead.
    followRedirect: false,
    responseType: 'text',
    retry: {
      limit: config.retries,
      // POST is retried on purpose: got does not retry POST by default, but generating a token consumes no
      // credits (credits are counted when a token is redeemed) and has no other effect, so repeating it is safe.
      methods: ['GET', 'POST'],
      statusCodes: FIVE_XX,
      errorCodes: RETRY_ERROR_CODES,
      calculateDelay: ({ computedValue, attemptCount }: RetryObject) =>
        computedValue === 0 ? 0 : backoffDelay(attemptCount, baseMs, maxMs),
    },
    hooks: { beforeError: [(error) => toExpressPlayError(error, config.timeoutMs)] },
  });
}

function operationOf(error: RequestError, path: string | undefined): ExpressPlayOperation {
  const fromContext = (error.options?.context as Partial<ExpressPlayRequestContext> | undefined)?.operation;
  if (fromContext === 'token' || fromContext === 'getrecord') return fromContext;
  return path?.startsWith(GETRECORD_PATH.replace(/\/$/, '')) ? 'getrecord' : 'token';
}

function pathOf(error: RequestError): string | undefined {
  try {
    const url = error.options?.url;
    if (url === undefined) return undefined;
    return new URL(url.toString()).pathname;
  } catch {
    return undefined;
  }
}

function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return undefined;
}

/**
 * The redaction point. Exported for tests and for anyone who builds another got instance for ExpressPlay. Reads
 * what it needs from got's error and returns a new error that holds no reference to it.
 */
export function toExpressPlayError(error: RequestError, timeoutMs?: number): ExpressPlayError {
  if (error instanceof ExpressPlayError) return error;
  const path = pathOf(error);
  const operation = operationOf(error, path);
  const what = `ExpressPlay ${operation} request`;

  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    const upstreamCode = parseErrorCode(bodyText(error.response.body));
    const codeText = upstreamCode === undefined ? '' : `, code ${upstreamCode}`;
    const cause: ExpressPlayErrorCause = { kind: 'http', code: error.code, ...(path && { path }) };
    if (status >= 400 && status < 500) {
      // -2017/-2018: missing or invalid authenticator (also a test key used against production, or the reverse).
      const authHint =
        status === 401 || upstreamCode === -2017 || upstreamCode === -2018
          ? ' (customer authenticator refused: check EXPRESSPLAY_CUSTOMER_AUTHENTICATOR and that it is the key' +
            ' for this environment)'
          : '';
      return new ExpressPlayRejectedError(
        `${what} rejected: HTTP ${status}${codeText}${authHint}`,
        operation,
        status,
        upstreamCode,
        { cause },
      );
    }
    return new ExpressPlayUnavailableError(
      `${what} failed: HTTP ${status}${codeText}`,
      operation,
      status,
      upstreamCode,
      { cause },
    );
  }

  if (error.name === 'TimeoutError') {
    const limit = timeoutMs === undefined ? '' : ` after ${timeoutMs} ms`;
    return new ExpressPlayUnavailableError(`${what} failed: timed out${limit}`, operation, undefined, undefined, {
      cause: { kind: 'timeout', code: error.code, ...(path && { path }) } satisfies ExpressPlayErrorCause,
    });
  }

  // Connection refused or reset, DNS, TLS, a malformed response... got's message for these names the host and
  // sometimes more; only the code is kept, and only when it looks like a code.
  const code = /^[A-Z][A-Z0-9_]{1,40}$/.test(error.code ?? '') ? error.code : undefined;
  return new ExpressPlayUnavailableError(
    `${what} failed: network error${code ? ` (${code})` : ''}`,
    operation,
    undefined,
    undefined,
    { cause: { kind: 'network', ...(code && { code }), ...(path && { path }) } satisfies ExpressPlayErrorCause },
  );
}
