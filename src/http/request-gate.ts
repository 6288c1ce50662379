/**
 * Judges each GraphQL request before Apollo sees it, for Express middleware that must answer some requests itself
 * (trusted documents, query limits): POST bodies, single or batched, and GET query strings alike. A judge maps
 * one request (a POST body, one batch entry, or a GET's parameters) to the request Apollo should see, or to a
 * refusal. In a batch, refused entries are answered here and the rest by Apollo, in the client's order.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendGraphqlBody } from './http-errors.js';

export type Refusal = { ok: false; status: number; error: WireError };
export type Outcome = { ok: true; request: unknown } | Refusal;
export interface WireError {
  message: string;
  extensions: { code: string };
}
export type Judge = (request: unknown) => Outcome;

/** The middleware: `judge` sees every request; what it returns goes on to Apollo or back to the client. */
export function createRequestGate(judge: Judge): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      handleGet(req, res, next, judge);
      return;
    }
    if (Array.isArray(req.body)) {
      handleBatch(req, res, next, judge);
      return;
    }
    const outcome = judge(req.body);
    if (!outcome.ok) {
      sendRefusal(req, res, outcome.status, outcome.error);
      return;
    }
    req.body = outcome.request;
    next();
  };
}

/**
 * In the media type the client asked for, like Apollo's own answers. An APQ miss stays a 200 in both types, as
 * Apollo Server sends its own whatever the media type: APQ clients look for PersistedQueryNotFound in a 2xx.
 */
function sendRefusal(
  req: Request,
  res: Response,
  status: number,
  body: WireError | Array<{ errors: WireError[] }>,
): void {
  // As Apollo does for its APQ misses: a CDN in front of GET must not cache "not found" for an id deployed later.
  res.setHeader('Cache-Control', 'private, no-cache, must-revalidate');
  sendGraphqlBody(req, res, status, Array.isArray(body) ? body : { errors: [body] });
}

/**
 * Each entry is resolved on its own. Refused entries are answered by us, the rest by Apollo, and the two answers
 * are put back together in the client's order.
 */
function handleBatch(req: Request, res: Response, next: NextFunction, resolve: Judge): void {
  const outcomes = (req.body as unknown[]).map(resolve);
  const refused = new Map<number, Refusal>();
  outcomes.forEach((outcome, i) => {
    if (!outcome.ok) refused.set(i, outcome);
  });
  const forwarded = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.request] : []));
  if (refused.size === 0) {
    req.body = forwarded;
    next();
    return;
  }
  if (forwarded.length === 0) {
    const status = Math.max(...[...refused.values()].map((r) => r.status));
    sendRefusal(
      req,
      res,
      status,
      outcomes.map((o) => ({ errors: [(o as Refusal).error] })),
    );
    return;
  }

  // Apollo answers a batch with one res.send of a JSON array string (@as-integrations/express5); splice our
  // errors into it. Anything else (an error for the whole request) goes out as Apollo wrote it.
  const send = res.send.bind(res);
  res.send = ((payload: unknown) => {
    res.send = send;
    if (typeof payload !== 'string') return send(payload);
    let answered: unknown;
    try {
      answered = JSON.parse(payload);
    } catch {
      return send(payload);
    }
    if (!Array.isArray(answered) || answered.length !== forwarded.length) return send(payload);
    const results = (answered as unknown[]).slice();
    const merged = outcomes.map((_, i) => (refused.has(i) ? { errors: [refused.get(i)!.error] } : results.shift()));
    return send(JSON.stringify(merged));
  }) as Response['send'];
  req.body = forwarded;
  next();
}

/**
 * GET: the same request lives in the query string (`extensions` and `variables` as JSON text). A judge that
 * rewrites a GET request may change its `query` and `extensions` and drop its `documentId`, nothing else.
 */
function handleGet(req: Request, res: Response, next: NextFunction, resolve: Judge): void {
  const at = req.url.indexOf('?');
  if (at === -1) {
    next();
    return;
  }
  const params = new URLSearchParams(req.url.slice(at + 1));
  const request: Record<string, unknown> = {};
  if (params.has('query')) request.query = params.get('query');
  if (params.has('operationName')) request.operationName = params.get('operationName');
  if (params.has('documentId')) request.documentId = params.get('documentId');
  if (params.has('extensions')) {
    try {
      request.extensions = JSON.parse(params.get('extensions')!);
    } catch {
      next(); // Apollo answers malformed JSON itself
      return;
    }
  }
  const outcome = resolve(request);
  if (!outcome.ok) {
    sendRefusal(req, res, outcome.status, outcome.error);
    return;
  }
  const resolved = outcome.request as Record<string, unknown>;
  if (resolved === request) {
    next();
    return;
  }
  params.delete('documentId');
  params.delete('extensions');
  params.set('query', resolved.query as string);
  if (resolved.extensions !== undefined) params.set('extensions', JSON.stringify(resolved.extensions));
  // Apollo's express integration reads the query string from req.url, so rewriting it is enough.
  req.url = `${req.url.slice(0, at)}?${params.toString()}`;
  next();
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
