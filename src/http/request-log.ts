import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    /** The request's logger (its lines carry the request id), made on first use: most requests never log but one line. */
    log: Logger;
  }
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A request's id, and its logger made on first use. */
export interface RequestIdentity {
  readonly id: string;
  readonly log: () => Logger;
}

/** Starts one request's id and log line; `path` is what the line names (never the query string). */
export type RequestLogging = (req: IncomingMessage, res: ServerResponse, path: string) => RequestIdentity;

/**
 * Gives every request an id (the client's X-Request-Id when it is sane, else a new one), echoes it, and logs one
 * line per request with method, path (no query string: it may carry tokens), status and duration. A new id is this
 * process's random prefix and a counter: unique across replicas and restarts, without a UUID per request. Shared by
 * the Express routes (requestLog) and the GraphQL fast path, so both number and log requests alike.
 */
export function createRequestLogging(logger: Logger): RequestLogging {
  const prefix = randomBytes(6).toString('hex');
  let counter = 0;
  return (req, res, path) => {
    const header = req.headers['x-request-id'];
    const id =
      typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : `${prefix}-${(++counter).toString(36)}`;
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    // A pino child logger per request cost more than the one line most requests log: made only when asked for.
    let child: Logger | undefined;
    res.on('finish', () => {
      if (!logger.isLevelEnabled('info')) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const fields = { method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      // The child's line when the request made one, else the same line with the id as a field: no child for it.
      if (child) child.info(fields, 'request');
      else logger.info({ requestId: id, ...fields }, 'request');
    });
    return { id, log: () => (child ??= logger.child({ requestId: id })) };
  };
}

const IDENTITY = Symbol('request identity');

interface IdentifiedRequest {
  [IDENTITY]: RequestIdentity;
}

/** `req.log` as a getter on the app's request prototype, the same for every request: nothing is made per request. */
function defineLazyLog(proto: object): void {
  if (Object.hasOwn(proto, 'log')) return;
  Object.defineProperty(proto, 'log', {
    configurable: true,
    get(this: IdentifiedRequest): Logger {
      return this[IDENTITY].log();
    },
    set(this: IdentifiedRequest, value: Logger) {
      Object.defineProperty(this, 'log', { value, writable: true, configurable: true, enumerable: true });
    },
  });
}

/** The Express middleware: `req.id` and `req.log` for the routes after it. */
export function requestLog(logging: RequestLogging) {
  return (req: Request, res: Response, next: NextFunction): void => {
    // Not req.path at 'finish': inside a router mounted on /graphql, Express has cut the mount path off req.url
    // (and the trusted-documents middleware may rewrite it), so it reads "/". The URL as the client sent it:
    const identity = logging(req, res, req.originalUrl.split('?', 1)[0]);
    (req as unknown as IdentifiedRequest)[IDENTITY] = identity;
    req.id = identity.id;
    defineLazyLog(Object.getPrototypeOf(req) as object);
    next();
  };
}
