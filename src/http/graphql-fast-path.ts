/**
 * POST /graphql without Express, for the requests nearly every client sends: one JSON operation, read whole, judged
 * by the same gates (trusted documents, query limits), handed to Apollo Server and written back. Express's router,
 * body parser and response helpers cost about a fifth of a cached `deviceBinding` lookup; this path skips them and
 * nothing else.
 *
 * Anything unusual goes to Express, which answers it as it always did: another method, path or media type, a
 * compressed or chunked body, a batch, a body that is not a JSON object, and any request a gate refuses. A request
 * handed over after its body was read carries the body (or the parse error) with it: Express's JSON parser skips a
 * request whose body is already read, and `handedOverBody` puts the error back into Express's chain, so the
 * answers are the same byte for byte whichever way a request goes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../errors/codes.js';
import { isObject, type Judge } from './request-gate.js';
import type { RequestIdentity, RequestLogging } from './request-log.js';

export interface GraphqlFastPathOptions<TContext extends BaseContext> {
  readonly server: ApolloServer<TContext>;
  /** The request's context, as Express's Apollo middleware builds it. */
  readonly context: (req: IncomingMessage, identity: RequestIdentity) => Promise<TContext>;
  /** Run in this order; the request a judge returns is what the next one (and Apollo) sees. */
  readonly judges: readonly Judge[];
  /** Express's JSON body limit: a longer body goes to Express, which refuses it. */
  readonly bodyLimitBytes: number;
  readonly logging: RequestLogging;
  /** Express: answers whatever this path does not. */
  readonly handOver: (req: IncomingMessage, res: ServerResponse) => void;
}

/** What body-parser throws for a body that is not JSON: Express's error handler answers it (400). */
interface ParseFailure extends Error {
  readonly status: 400;
  readonly type: 'entity.parse.failed';
}

const HANDED_OVER_ERROR = Symbol('body error found by the fast path');

interface HandedOver {
  body?: unknown;
  [HANDED_OVER_ERROR]?: Error;
}

const JSON_MEDIA_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
/** body-parser's strict mode: a JSON body is an object or an array, nothing else. */
const FIRST_CHARACTER = /^[ \t\n\r]*([^ \t\n\r])/;

/**
 * The listener's first look at a request: true when this path has taken it (it answers or hands over), false when
 * Express should have it from the start.
 */
export function createGraphqlFastPath<TContext extends BaseContext>(
  options: GraphqlFastPathOptions<TContext>,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { bodyLimitBytes, handOver } = options;
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== '/graphql') return false;
    const { headers } = req;
    if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
    if (!JSON_MEDIA_TYPE.test(headers['content-type'] ?? '')) return false;
    const length = Number(headers['content-length']);
    if (!Number.isInteger(length) || length <= 0 || length > bodyLimitBytes) return false;

    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => undefined); // an aborted upload: the socket is gone, nobody to answer
    req.on('end', () => {
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
      // Without a byte-order mark, as Express's parser decodes it.
      const parsed = parseBody(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      if (parsed instanceof Error) {
        (req as HandedOver)[HANDED_OVER_ERROR] = parsed;
        handOver(req, res);
        return;
      }
      if (!isObject(parsed)) {
        (req as HandedOver).body = parsed;
        handOver(req, res);
        return;
      }
      const request = judged(options.judges, parsed);
      if (request === REFUSED) {
        // Express's gates judge it again and answer the refusal (or the failure), as they answer every other.
        (req as HandedOver).body = parsed;
        handOver(req, res);
        return;
      }
      void execute(options, req, res, request);
    });
    return true;
  };
}

/**
 * First in Express's chain for /graphql: a request the fast path read and found to be no JSON goes on as the body
 * parser's own error would, to the error handler.
 */
export function handedOverBody(req: Request, _res: Response, next: NextFunction): void {
  const error = (req as unknown as HandedOver)[HANDED_OVER_ERROR];
  if (error === undefined) next();
  else next(error);
}

const REFUSED = Symbol('refused');

/**
 * The request as the judges leave it, or REFUSED when one refuses it or fails: here, in a stream's event handler, a
 * throw would take the process down, where Express's gate turns it into a 500.
 */
function judged(judges: readonly Judge[], parsed: unknown): unknown {
  let request = parsed;
  try {
    for (const judge of judges) {
      const outcome = judge(request);
      if (!outcome.ok) return REFUSED;
      request = outcome.request;
    }
  } catch {
    return REFUSED;
  }
  return request;
}

function parseBody(text: string): unknown {
  const first = FIRST_CHARACTER.exec(text)?.[1];
  if (first === '{' || first === '[') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // below
    }
  }
  const failure: ParseFailure = Object.assign(new Error('The request body is not valid JSON.'), {
    status: 400 as const,
    type: 'entity.parse.failed' as const,
  });
  return failure;
}

async function execute<TContext extends BaseContext>(
  options: GraphqlFastPathOptions<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
): Promise<void> {
  const identity = options.logging(req, res, '/graphql');
  try {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await options.server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body },
      context: () => options.context(req, identity),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.setHeader('Content-Length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  } catch (error) {
    // As Express's error handler answers what nobody caught: a code, nothing about internals.
    identity.log().error({ err: { type: (error as Error)?.name } }, 'unhandled HTTP error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const answer = JSON.stringify({
      errors: [{ message: 'Internal server error.', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }],
    });
    res.statusCode = 500;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(answer));
    res.end(answer);
  }
}
