import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives every request an id (the client's X-Request-Id when it is sane, else a new one), echoes it, and logs one
 * line per request with method, path (no query string: it may carry tokens), status and duration.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('x-request-id');
    req.id = header && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
    req.log = logger.child({ requestId: req.id });
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    // Not req.path at 'finish': inside a router mounted on /graphql, Express has cut the mount path off req.url
    // (and the trusted-documents middleware may rewrite it), so it reads "/". The URL as the client sent it:
    const path = req.originalUrl.split('?', 1)[0];
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info({ method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
