/**
 * The ExpressPlay sandbox: token generation, license redemption and record retrieval on one port, speaking the
 * protocol as ExpressPlay's documentation and README.md describe it. It imports nothing from the rest of `src/`,
 * so tests against it test the service's reading of the protocol, not a shared copy of it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAuthenticatorCheck } from './customer-authenticators.js';
import {
  ErrorCode,
  errorFormatOf,
  errorFormatOrHtml,
  printable,
  protocolError,
  ProtocolError,
  renderError,
  type ErrorFormat,
  type Reply,
} from './errors.js';
import { createFaultInjector, validateFaults, type SandboxEndpoint, type SandboxFaults } from './faults.js';
import { createLicenseService } from './license-service.js';
import { queryRecords, RecordLog } from './record-log.js';
import { createTokenCodec, type Drm } from './token-codec.js';
import { createTokenService, type DeviceBindingDrm } from './token-service.js';

export type { SandboxEndpoint, SandboxFaults } from './faults.js';
export type { DeviceBindingDrm } from './token-service.js';

export interface SandboxOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accepted authenticators, each `<id>,<32 hex>`. */
  customerAuthenticators: readonly string[];
  /** Base used in license URLs; default `http://<host>:<actual port>`. */
  publicUrl?: string;
  /** Injectable clock: tests move time to expire tokens and rentals. */
  now?: () => Date;
  faults?: SandboxFaults;
  /** 32-byte token key; random by default, so tokens do not survive a restart. */
  secret?: Buffer;
  /** License events kept for record retrieval before the oldest go; default 100 000. */
  recordLogCapacity?: number;
  /**
   * DRMs whose token service refuses a device restriction (-6008 FairPlay, -7002 Widevine), as ExpressPlay's error
   * tables say an account may: to try a service against such an account. Default none.
   */
  noDeviceBinding?: readonly DeviceBindingDrm[];
}

/** Requests received per endpoint, faulted or not. */
export interface SandboxStats {
  token: number;
  getrecord: number;
  license: number;
}

export interface RunningSandbox {
  readonly url: string;
  setFaults(faults: SandboxFaults): void;
  stats(): SandboxStats;
  resetStats(): void;
  close(): Promise<void>;
}

type Route =
  | { readonly endpoint: 'token'; readonly drm: Drm | null }
  | { readonly endpoint: 'license'; readonly drm: Drm }
  | { readonly endpoint: 'getrecord' }
  | { readonly endpoint: 'healthz' }
  | { readonly endpoint: 'unknown' };

const DRMS: readonly string[] = ['fp', 'wv', 'pr'] satisfies Drm[];
// Token forms are a few hundred bytes and the sandbox SPC less; anything near this limit is not a client.
const MAX_BODY_BYTES = 64 * 1024;

class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError('port must be 0 to 65535');
  if (options.publicUrl !== undefined) assertHttpUrl(options.publicUrl);
  if (options.faults) validateFaults(options.faults);

  const now = options.now ?? (() => new Date());
  const secret = options.secret ?? randomBytes(32);
  const codec = createTokenCodec(secret);
  const checkAuthenticator = createAuthenticatorCheck(options.customerAuthenticators);
  const log = new RecordLog(now, options.recordLogCapacity);
  let publicUrl = '';
  const tokens = createTokenService({
    codec,
    now,
    secret,
    publicUrl: () => publicUrl,
    ...(options.noDeviceBinding ? { noDeviceBinding: options.noDeviceBinding } : {}),
  });
  const licenses = createLicenseService({ codec, log, now });
  const faults = createFaultInjector(options.faults);
  let counts: SandboxStats = { token: 0, getrecord: 0, license: 0 };
  // Aborted on close, so a request waiting out injected latency does not keep the process alive.
  const closing = new AbortController();

  const answer = (params: URLSearchParams, produce: () => Reply): Reply => {
    let format: ErrorFormat = 'html';
    try {
      format = errorFormatOf(params);
      return produce();
    } catch (error) {
      if (error instanceof ProtocolError) return renderError(error, format);
      throw error;
    }
  };

  const dispatch = (route: Route, req: IncomingMessage, url: URL, params: URLSearchParams, body: Buffer): Reply => {
    const method = req.method ?? 'GET';
    switch (route.endpoint) {
      case 'healthz':
        return jsonReply(200, { status: 'ok' });
      case 'token':
        if (route.drm === null) return notFound(url, errorFormatOrHtml(params));
        if (method !== 'GET' && method !== 'POST') return methodNotAllowed('GET, POST', errorFormatOrHtml(params));
        return answer(params, () => {
          checkAuthenticator(params);
          return tokens.issue(route.drm!, params);
        });
      case 'getrecord':
        if (method !== 'GET') return methodNotAllowed('GET', errorFormatOrHtml(params));
        return answer(params, () => {
          checkAuthenticator(params);
          return jsonReply(200, queryRecords(log, params));
        });
      case 'license':
        // License servers answer JSON only (README.md); a GET is no license request, so it is not logged.
        if (method !== 'POST') return methodNotAllowed('POST', 'json');
        return licenses.redeem(route.drm, url.searchParams.get('ExpressPlayToken'), body);
      case 'unknown':
        return notFound(url, errorFormatOrHtml(params));
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const route = routeOf(url.pathname);
    const endpoint = counted(route);
    if (endpoint) counts[endpoint] += 1;

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      const tooLarge = protocolError(ErrorCode.NoCorrespondingValue, 413, 'request body too large');
      send(res, { ...renderError(tooLarge, errorFormatOrHtml(url.searchParams)), headers: { Connection: 'close' } });
      return;
    }
    const params = route.endpoint === 'token' ? tokenParams(req, url, body) : url.searchParams;

    if (endpoint) {
      const latency = faults.latencyFor(endpoint);
      if (latency > 0) await sleep(latency, undefined, { signal: closing.signal });
      switch (faults.actionFor(endpoint)) {
        case 'outage':
          req.socket.destroy();
          return;
        case 'garbage':
          send(res, garbage(route));
          return;
        case 'unavailable': {
          const unavailable = protocolError(ErrorCode.AdminError, 503, 'service temporarily unavailable');
          send(res, renderError(unavailable, endpoint === 'license' ? 'json' : errorFormatOrHtml(params)));
          return;
        }
        case 'none':
          break;
      }
    }
    send(res, dispatch(route, req, url, params, body));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (closing.signal.aborted || res.headersSent) {
        res.destroy();
        return;
      }
      // Deliberately no detail: an unexpected exception's message could hold anything from the request.
      const failure = protocolError(ErrorCode.AdminError, 500, 'internal error');
      send(res, renderError(failure, 'json'));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  publicUrl = (options.publicUrl ?? url).replace(/\/+$/, '');

  let closed: Promise<void> | undefined;
  return {
    url,
    setFaults(next) {
      faults.set(next);
    },
    stats: () => ({ ...counts }),
    resetStats() {
      counts = { token: 0, getrecord: 0, license: 0 };
    },
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function routeOf(pathname: string): Route {
  const token = /^\/hms\/([^/]+)\/token\/?$/.exec(pathname);
  if (token) return { endpoint: 'token', drm: DRMS.includes(token[1]) ? (token[1] as Drm) : null };
  const rights = /^\/hms\/(fp|wv)\/rights\/?$/.exec(pathname);
  if (rights) return { endpoint: 'license', drm: rights[1] as Drm };
  if (pathname === '/playready/RightsManager.asmx') return { endpoint: 'license', drm: 'pr' };
  if (pathname === '/cmiapi/getrecord/' || pathname === '/cmiapi/getrecord') return { endpoint: 'getrecord' };
  if (pathname === '/healthz') return { endpoint: 'healthz' };
  return { endpoint: 'unknown' };
}

function counted(route: Route): SandboxEndpoint | undefined {
  return route.endpoint === 'token' || route.endpoint === 'license' || route.endpoint === 'getrecord'
    ? route.endpoint
    : undefined;
}

/**
 * Token parameters come from the query, the form body, or both ("GET, POST (with a www-url-encoded body that
 * contains parameters for both methods)"); the body wins where both name one.
 */
function tokenParams(req: IncomingMessage, url: URL, body: Buffer): URLSearchParams {
  const params = new URLSearchParams(url.searchParams);
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (req.method === 'POST' && (type === 'application/x-www-form-urlencoded' || type === '')) {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params.set(name, value);
  }
  return params;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const body = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, {
    'Content-Type': reply.contentType,
    'Content-Length': body.length,
    // Tokens, keys and logs are never to be cached by anything between the sandbox and its client.
    'Cache-Control': 'no-store',
    ...reply.headers,
  });
  res.end(body);
}

function jsonReply(status: number, body: unknown): Reply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}

/** ExpressPlay documents 404 for a bad URL but no code; the sandbox uses -2035, its "no such value" code. */
function notFound(url: URL, format: ErrorFormat): Reply {
  const details = `no endpoint at ${printable(url.pathname, 64)}`;
  return renderError(protocolError(ErrorCode.NoCorrespondingValue, 404, details), format);
}

function methodNotAllowed(allow: string, format: ErrorFormat): Reply {
  const error = protocolError(ErrorCode.NoCorrespondingValue, 405, `use ${allow}`);
  return { ...renderError(error, format), headers: { Allow: allow } };
}

/** HTTP 200 with the endpoint's usual content type and a body no parser can take for an answer. */
function garbage(route: Route): Reply {
  const uriList = route.endpoint === 'token' && route.drm !== 'pr';
  const contentType = uriList ? 'text/uri-list; charset=utf-8' : 'application/json; charset=utf-8';
  return { status: 200, contentType, body: '<<sandbox: injected garbage>>\n{"truncated": ' };
}

function assertHttpUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RangeError('publicUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RangeError('publicUrl must be an absolute http(s) URL');
  }
}
