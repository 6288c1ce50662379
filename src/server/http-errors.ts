import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ErrorCode } from '../errors/codes.js';

/** GraphQL-shaped error body for failures that happen before GraphQL runs, so clients parse one format. */
function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** Batched requests are allowed, but each entry costs a full operation: cap how many one POST may carry. */
export function limitBatch(maxBatch: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (Array.isArray(req.body) && req.body.length > maxBatch) {
      sendError(res, 400, ErrorCode.BAD_REQUEST, `A batch may hold at most ${maxBatch} operations; it held ${req.body.length}.`);
      return;
    }
    next();
  };
}

/**
 * Last in the chain. Express's default handler answers HTML with a stack trace outside production; this one
 * answers JSON with a code, and says nothing about internals.
 */
export function httpErrorHandler(log: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = (error as { status?: unknown }).status;
    const type = (error as { type?: unknown }).type;
    if (type === 'entity.too.large') {
      sendError(res, 413, ErrorCode.BAD_REQUEST, 'The request body is too large.');
    } else if (type === 'entity.parse.failed') {
      sendError(res, 400, ErrorCode.BAD_REQUEST, 'The request body is not valid JSON.');
    } else if (typeof status === 'number' && status >= 400 && status < 500) {
      sendError(res, status, ErrorCode.BAD_REQUEST, 'The request could not be read.');
    } else {
      (req.log ?? log).error({ err: { type: (error as Error)?.name } }, 'unhandled HTTP error');
      sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error.');
    }
  };
}
