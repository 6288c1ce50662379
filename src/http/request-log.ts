import { randomBytes } from 'node:crypto';
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

const ROOT = Symbol('root logger');
const CHILD = Symbol('request logger');

interface LoggedRequest {
  [ROOT]?: Logger;
  [CHILD]?: Logger;
  id: string;
}

/**
 * `req.log`, made when first read: a pino child logger per request cost more than the one line most requests log.
 * Defined once on the app's request prototype, the same for every request.
 */
function defineLazyLog(proto: object): void {
  if (Object.hasOwn(proto, 'log')) return;
  Object.defineProperty(proto, 'log', {
    configurable: true,
    get(this: LoggedRequest): Logger {
      return (this[CHILD] ??= this[ROOT]!.child({ requestId: this.id }));
    },
    set(this: LoggedRequest, value: Logger) {
      this[CHILD] = value;
    },
  });
}

/**
 * Gives every request an id (the client's X-Request-Id when it is sane, else a new one), echoes it, and logs one
 * line per request with method, path (no query string: it may carry tokens), status and duration. A new id is this
 * process's random prefix and a counter: unique across replicas and restarts, without a UUID per request.
 */
export function requestLog(logger: Logger) {
  const prefix = randomBytes(6).toString('hex');
  let counter = 0;
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('x-request-id');
    req.id = header && CLIENT_REQUEST_ID.test(header) ? header : `${prefix}-${(++counter).toString(36)}`;
    defineLazyLog(Object.getPrototypeOf(req) as object);
    (req as unknown as LoggedRequest)[ROOT] = logger;
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    // Not req.path at 'finish': inside a router mounted on /graphql, Express has cut the mount path off req.url
    // (and the trusted-documents middleware may rewrite it), so it reads "/". The URL as the client sent it:
    const path = req.originalUrl.split('?', 1)[0];
    res.on('finish', () => {
      if (!logger.isLevelEnabled('info')) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const fields = { method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      // The child's line when the request made one, else the same line with the id as a field: no child for it.
      const child = (req as unknown as LoggedRequest)[CHILD];
      if (child) child.info(fields, 'request');
      else logger.info({ requestId: req.id, ...fields }, 'request');
    });
    next();
  };
}
