import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ErrorCode } from '../errors/codes.js';

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/**
 * The media type Apollo Server answers a request in (GraphQL over HTTP): application/graphql-response+json when
 * the client prefers it, as Apollo Client 4 does, else application/json (also when Accept names neither: this
 * is an error answer anyway). A client reads a 4xx body only in the type it asked for: Apollo Client 4 shows a
 * 400 sent as application/json as "Received status code 400", without the errors.
 */
export function graphqlMediaType(req: Request): string {
  const preferred = req.accepts(['application/json', GRAPHQL_RESPONSE_JSON]);
  return `${preferred === GRAPHQL_RESPONSE_JSON ? GRAPHQL_RESPONSE_JSON : 'application/json'}; charset=utf-8`;
}

/** A GraphQL response body (`{ errors }`, or an array of them for a batch) for an answer given before GraphQL runs. */
export function sendGraphqlBody(req: Request, res: Response, status: number, body: unknown): void {
  res.status(status).type(graphqlMediaType(req)).json(body);
}

/** GraphQL-shaped error body for failures that happen before GraphQL runs, so clients parse one format. */
function sendError(req: Request, res: Response, status: number, code: string, message: string): void {
  sendGraphqlBody(req, res, status, { errors: [{ message, extensions: { code } }] });
}

/** Batched requests are allowed, but each entry costs a full operation: cap how many one POST may carry. */
export function limitBatch(maxBatch: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (Array.isArray(req.body) && req.body.length > maxBatch) {
      const message = `A batch may hold at most ${maxBatch} operations; it held ${req.body.length}.`;
      sendError(req, res, 400, ErrorCode.BAD_REQUEST, message);
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
      sendError(req, res, 413, ErrorCode.BAD_REQUEST, 'The request body is too large.');
    } else if (type === 'entity.parse.failed') {
      sendError(req, res, 400, ErrorCode.BAD_REQUEST, 'The request body is not valid JSON.');
    } else if (typeof status === 'number' && status >= 400 && status < 500) {
      sendError(req, res, status, ErrorCode.BAD_REQUEST, 'The request could not be read.');
    } else {
      (req.log ?? log).error({ err: { type: (error as Error)?.name } }, 'unhandled HTTP error');
      sendError(req, res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error.');
    }
  };
}
