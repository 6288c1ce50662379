/**
 * Trusted documents (persisted operations): clients send an operation's sha256 instead of its text, and with
 * TRUSTED_DOCUMENTS=only nothing else runs. A judge (request-gate.ts) run before Apollo: it swaps a known
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
import { ErrorCode } from '../errors/codes.js';
import { isObject, type Judge, type Outcome, type Refusal } from './request-gate.js';

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
    throw new Error(
      `Cannot read the persisted-documents manifest ${file} (run npm run codegen): ${(error as Error).message}`,
    );
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
    for (const op of json.operations)
      entries.push([String(isObject(op) ? op.id : op), isObject(op) ? op.body : undefined]);
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

/**
 * What trusted documents decide for one request: run by request-gate.ts's Express middleware (between express.json()
 * and Apollo) and by the GraphQL fast path alike. With the mode off, every request goes on as it came.
 */
export function trustedDocumentsJudge(options: TrustedDocumentsOptions): Judge {
  const { mode } = options;
  if (mode === 'off') return (request) => ({ ok: true, request });
  const documents = new Map<string, string>();
  for (const [id, text] of Object.entries(options.manifest)) {
    const hex = hexOf(id);
    if (hex !== undefined) documents.set(hex, text);
  }
  return (request) => resolveRequest(request, mode, documents);
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

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `sha256:<hex>` or `<hex>` -> lowercase hex; anything else -> undefined. */
function hexOf(id: string): string | undefined {
  const hex = (id.startsWith('sha256:') ? id.slice('sha256:'.length) : id).toLowerCase();
  return SHA256_HEX.test(hex) ? hex : undefined;
}

/** An id echoed in an error: bounded, and only as text. */
function printable(id: unknown): string {
  const text = typeof id === 'string' ? id : (JSON.stringify(id) ?? String(id));
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
