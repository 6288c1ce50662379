/**
 * Trusted documents (persisted operations): clients send an operation's sha256 instead of its text, and with
 * TRUSTED_DOCUMENTS=only nothing else runs. Express middleware between express.json() and Apollo: it swaps a known
 * id for its document, so Apollo only ever sees ordinary `{ query }` requests.
 *
 * Two wire formats, in POST bodies (single or batched) and GET query strings alike:
 * - Apollo APQ, what Apollo Kotlin/iOS/Client send: `extensions.persistedQuery.sha256Hash` (hex);
 * - GraphQL-over-HTTP persisted documents (draft appendix): `documentId`, `sha256:<hex>` or bare hex.
 *
 * The manifest is `schema/persisted-documents.json`, written by `npm run codegen`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ErrorCode } from '../errors/codes.js';
import { sendGraphqlBody } from './http-errors.js';

export type TrustedDocumentsMode = 'off' | 'allow' | 'only';

export interface TrustedDocumentsOptions {
  /** `off`: untouched (Apollo's own APQ included); `allow`: text or known ids; `only`: known operations only. */
  readonly mode: TrustedDocumentsMode;
  /** Document id (`sha256:<hex>` or bare hex) -> document text, as `loadManifest` returns it. */
  readonly manifest: Readonly<Record<string, string>>;
}

/** The exact message Apollo Kotlin and Apollo iOS compare against before resending an operation with its text. */
const APQ_NOT_FOUND = 'PersistedQueryNotFound';
const ONLY_MESSAGE =
  "This server accepts only persisted operations (TRUSTED_DOCUMENTS=only); send the operation's hash as " +
  'extensions.persistedQuery.sha256Hash or documentId instead of its text. New operations must be added to ' +
  "the server's persisted-documents manifest first.";
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The GraphQL-over-HTTP document id of a text: `sha256:` and the lowercase hex sha256 of its UTF-8 bytes. */
export function documentIdOf(text: string): string {
  return `sha256:${sha256Hex(text)}`;
}

/**
 * `schema/persisted-documents.json` under the project root: the nearest folder above this module holding a
 * package.json. Works from src/server (tsx, vitest) and from dist/src/server (npm start), whatever the cwd.
 */
export function defaultManifestPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6 && !existsSync(path.join(dir, 'package.json')); up += 1) dir = path.dirname(dir);
  return path.join(dir, 'schema', 'persisted-documents.json');
}

/** Reads and checks a manifest file; throws, naming the file, when it is missing or any entry is wrong. */
export async function loadManifest(file: string = defaultManifestPath()): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the persisted-documents manifest ${file} (run npm run codegen): ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`The persisted-documents manifest ${file} is not valid JSON`);
  }
  return parseManifest(json, file);
}

/**
 * Accepts the three manifest shapes in use and returns `sha256:<hex>` -> document, sorted by id:
 * - codegen's client preset: `{ "sha256:<hex>": "<document>" }` (bare hex keys too);
 * - Apollo's persisted query manifest (Apollo Kotlin `persistedQueryManifest`, Apollo iOS `persistedQueries`):
 *   `{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{ "id", "body", ... }] }`;
 * - Apollo Kotlin `operationOutput` / Apollo iOS `legacyAPQ`: `{ "<hex>": { "name", "source" } }`.
 * Every id must be the sha256 of its document's exact text: that is what lets `only` recognise a trusted
 * operation sent as text, and what stops a manifest from mapping a harmless id onto another document.
 */
export function parseManifest(json: unknown, source: string): Record<string, string> {
  const entries: Array<[string, unknown]> = [];
  if (isObject(json) && json.format === 'apollo-persisted-query-manifest') {
    if (json.version !== 1 || !Array.isArray(json.operations)) {
      throw new Error(`${source}: only version 1 of apollo-persisted-query-manifest is supported`);
    }
    for (const op of json.operations) entries.push([String(isObject(op) ? op.id : op), isObject(op) ? op.body : undefined]);
  } else if (isObject(json)) {
    for (const [id, value] of Object.entries(json)) entries.push([id, isObject(value) ? value.source : value]);
  } else {
    throw new Error(`${source}: a manifest is a JSON object`);
  }

  const manifest = new Map<string, string>();
  for (const [rawId, body] of entries) {
    const hex = hexOf(rawId);
    if (hex === undefined) throw new Error(`${source}: "${rawId}" is not a sha256 document id`);
    if (typeof body !== 'string') throw new Error(`${source}: entry ${rawId} has no document text`);
    if (sha256Hex(body) !== hex) throw new Error(`${source}: entry ${rawId} is not the sha256 of its document`);
    manifest.set(`sha256:${hex}`, body);
  }
  return Object.fromEntries([...manifest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The middleware. Mount it on /graphql right after express.json(). */
export function createTrustedDocuments(options: TrustedDocumentsOptions): RequestHandler {
  const { mode } = options;
  if (mode === 'off') return (_req, _res, next) => next();
  const documents = new Map<string, string>();
  for (const [id, text] of Object.entries(options.manifest)) {
    const hex = hexOf(id);
    if (hex !== undefined) documents.set(hex, text);
  }
  const resolve = (request: unknown) => resolveRequest(request, mode, documents);

  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      handleGet(req, res, next, resolve);
      return;
    }
    if (Array.isArray(req.body)) {
      handleBatch(req, res, next, resolve);
      return;
    }
    const outcome = resolve(req.body);
    if (!outcome.ok) {
      sendRefusal(req, res, outcome.status, outcome.error);
      return;
    }
    req.body = outcome.request;
    next();
  };
}

type Refusal = { ok: false; status: number; error: WireError };
type Outcome = { ok: true; request: unknown } | Refusal;
interface WireError {
  message: string;
  extensions: { code: string };
}

/** One GraphQL request (a POST body, one batch entry, or a GET's parameters) -> what Apollo should see, or no. */
function resolveRequest(request: unknown, mode: 'allow' | 'only', documents: ReadonlyMap<string, string>): Outcome {
  if (!isObject(request)) return { ok: true, request }; // not ours to judge: Apollo answers it
  const extensions = isObject(request.extensions) ? request.extensions : undefined;
  const apq = extensions && isObject(extensions.persistedQuery) ? extensions.persistedQuery : undefined;
  const hasDocumentId = request.documentId !== undefined && request.documentId !== null;
  const query = typeof request.query === 'string' ? request.query : undefined;

  if (apq !== undefined || hasDocumentId) {
    const id = apq !== undefined ? apq.sha256Hash : request.documentId;
    const hex = typeof id === 'string' ? hexOf(id) : undefined;
    const known = hex === undefined ? undefined : documents.get(hex);
    // Apollo never sees persistedQuery: its own APQ cache would otherwise answer (or register) ids that are not
    // in the manifest, per process, and differently on each replica.
    const { documentId: _documentId, extensions: _extensions, ...rest } = request;
    const { persistedQuery: _persistedQuery, ...otherExtensions } = extensions ?? {};
    const stripped = { ...rest, ...(Object.keys(otherExtensions).length > 0 ? { extensions: otherExtensions } : {}) };
    if (known !== undefined) return { ok: true, request: { ...stripped, query: known } };
    // An APQ client resending an unknown id with its text (the retry after PersistedQueryNotFound): judge the
    // text like any other, below.
    if (query === undefined) {
      return apq !== undefined
        ? refuse(200, APQ_NOT_FOUND) // 200, as Apollo Server does: the clients read the error only from a 2xx
        : refuse(400, `Unknown persisted operation: ${printable(id)}`);
    }
    request = stripped;
  }

  if (mode === 'only' && query !== undefined && !documents.has(sha256Hex(query))) return refuse(400, ONLY_MESSAGE);
  return { ok: true, request };
}

function refuse(status: number, message: string): Refusal {
  return { ok: false, status, error: { message, extensions: { code: ErrorCode.PERSISTED_QUERY_NOT_FOUND } } };
}

/**
 * In the media type the client asked for, like Apollo's own answers. The APQ miss stays a 200 in both types, as
 * Apollo Server sends its own whatever the media type: APQ clients look for PersistedQueryNotFound in a 2xx.
 */
function sendRefusal(req: Request, res: Response, status: number, body: WireError | Array<{ errors: WireError[] }>): void {
  // As Apollo does for its APQ misses: a CDN in front of GET must not cache "not found" for an id deployed later.
  res.setHeader('Cache-Control', 'private, no-cache, must-revalidate');
  sendGraphqlBody(req, res, status, Array.isArray(body) ? body : { errors: [body] });
}

/**
 * Each entry is resolved on its own. Refused entries are answered by us, the rest by Apollo, and the two answers
 * are put back together in the client's order.
 */
function handleBatch(req: Request, res: Response, next: NextFunction, resolve: (request: unknown) => Outcome): void {
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
    sendRefusal(req, res, status, outcomes.map((o) => ({ errors: [(o as Refusal).error] })));
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
    const results = answered.slice();
    const merged = outcomes.map((_, i) => (refused.has(i) ? { errors: [refused.get(i)!.error] } : results.shift()));
    return send(JSON.stringify(merged));
  }) as Response['send'];
  req.body = forwarded;
  next();
}

/** GET: the same request lives in the query string (`extensions` and `variables` as JSON text). */
function handleGet(req: Request, res: Response, next: NextFunction, resolve: (request: unknown) => Outcome): void {
  const at = req.url.indexOf('?');
  if (at === -1) {
    next();
    return;
  }
  const params = new URLSearchParams(req.url.slice(at + 1));
  const request: Record<string, unknown> = {};
  if (params.has('query')) request.query = params.get('query');
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

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `sha256:<hex>` or `<hex>` -> lowercase hex; anything else -> undefined. */
function hexOf(id: string): string | undefined {
  const hex = (id.startsWith('sha256:') ? id.slice('sha256:'.length) : id).toLowerCase();
  return SHA256_HEX.test(hex) ? hex : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An id echoed in an error: bounded, and only as text. */
function printable(id: unknown): string {
  const text = typeof id === 'string' ? id : JSON.stringify(id) ?? String(id);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
