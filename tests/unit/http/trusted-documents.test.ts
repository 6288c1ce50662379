/**
 * The trusted-documents middleware on a bare express app whose last handler echoes what it was given, the way
 * Apollo's express integration answers (one res.send of a JSON string). What reaches that handler is what Apollo
 * would run.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { createRequestGate } from '../../../src/http/request-gate.js';
import {
  defaultManifestPath,
  documentIdOf,
  loadManifest,
  parseManifest,
  trustedDocumentsJudge,
  type TrustedDocumentsMode,
} from '../../../src/http/trusted-documents.js';

const CONTENTS = 'query Contents { contents { id title } }';
const BINDINGS = 'query DeviceBindings { deviceBindings { id status } }';
const hex = (text: string) => createHash('sha256').update(text).digest('hex');
const MANIFEST = { [documentIdOf(CONTENTS)]: CONTENTS, [documentIdOf(BINDINGS)]: BINDINGS };
const UNKNOWN = 'f'.repeat(64);
const apq = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

const servers: http.Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

interface Seen {
  method: string;
  url: string;
  body: unknown;
}

/** An app with the middleware; returns a function to call it and the last request that got past it. */
async function start(mode: TrustedDocumentsMode) {
  const app = express();
  let seen: Seen | undefined;
  app.use(
    '/graphql',
    express.json(),
    createRequestGate(trustedDocumentsJudge({ mode, manifest: MANIFEST })),
    (req, res) => {
      seen = { method: req.method, url: req.url, body: req.body };
      res.setHeader('content-type', 'application/json');
      const answer = (body: unknown) => ({ data: { ran: (body as { query?: string } | undefined)?.query ?? null } });
      res.send(JSON.stringify(Array.isArray(req.body) ? req.body.map(answer) : answer(req.body)));
    },
  );
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    async post(body: unknown) {
      seen = undefined;
      const response = await fetch(base, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        cacheControl: response.headers.get('cache-control'),
        json: (await response.json()) as unknown,
        seen: seen as Seen | undefined,
      };
    },
    async get(params: Record<string, string>) {
      seen = undefined;
      const response = await fetch(`${base}?${new URLSearchParams(params)}`);
      return { status: response.status, json: (await response.json()) as unknown, seen: seen as Seen | undefined };
    },
  };
}

/** The first error's message of a GraphQL answer. */
const messageOf = (json: unknown) => (json as { errors?: Array<{ message: string }> }).errors?.[0]?.message;

describe('manifests', () => {
  it('reads codegen maps, Apollo persisted query manifests and operationOutput/legacyAPQ files alike', () => {
    const expected = { [documentIdOf(BINDINGS)]: BINDINGS, [documentIdOf(CONTENTS)]: CONTENTS };
    expect(parseManifest({ [hex(CONTENTS)]: CONTENTS, [documentIdOf(BINDINGS)]: BINDINGS }, 'codegen')).toEqual(
      expected,
    );
    const apollo = {
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [
        { id: hex(CONTENTS), body: CONTENTS, name: 'Contents', type: 'query' },
        { id: hex(BINDINGS), body: BINDINGS, name: 'DeviceBindings', type: 'query' },
      ],
    };
    expect(parseManifest(apollo, 'kotlin')).toEqual(expected);
    const legacy = {
      [hex(CONTENTS)]: { name: 'Contents', source: CONTENTS },
      [hex(BINDINGS)]: { name: 'DeviceBindings', source: BINDINGS },
    };
    expect(parseManifest(legacy, 'ios')).toEqual(expected);
  });

  it('refuses an entry whose id is not the sha256 of its text, or is no sha256 at all', () => {
    expect(() => parseManifest({ [hex(CONTENTS)]: BINDINGS }, 'm.json')).toThrow(
      /m\.json: entry .* is not the sha256 of its document/,
    );
    expect(() => parseManifest({ Contents: CONTENTS }, 'm.json')).toThrow(/"Contents" is not a sha256 document id/);
    expect(() => parseManifest([], 'm.json')).toThrow(/a manifest is a JSON object/);
  });

  it('loads the committed manifest from the project root, and names a missing file', async () => {
    expect(defaultManifestPath()).toBe(path.resolve('schema/persisted-documents.json'));
    const manifest = await loadManifest();
    expect(Object.values(manifest)).toContainEqual(expect.stringContaining('mutation BindDevice('));
    const dir = await mkdtemp(path.join(tmpdir(), 'manifest-'));
    await expect(loadManifest(path.join(dir, 'absent.json'))).rejects.toThrow(/absent\.json \(run npm run codegen\)/);
    await writeFile(path.join(dir, 'bad.json'), '{');
    await expect(loadManifest(path.join(dir, 'bad.json'))).rejects.toThrow(/bad\.json is not valid JSON/);
  });
});

describe('mode off', () => {
  it('passes everything through untouched, Apollo APQ extensions included', async () => {
    const app = await start('off');
    const body = { extensions: apq(UNKNOWN), variables: { a: 1 } };
    expect((await app.post(body)).seen?.body).toEqual(body);
    expect((await app.post({ query: '{ adHoc }' })).seen?.body).toEqual({ query: '{ adHoc }' });
  });
});

describe('mode allow', () => {
  it('swaps a known APQ hash for its document and drops only the persistedQuery extension', async () => {
    const app = await start('allow');
    const result = await app.post({
      operationName: 'Contents',
      variables: {},
      extensions: { ...apq(hex(CONTENTS)), tracing: true },
    });
    expect(result.status).toBe(200);
    expect(result.seen?.body).toEqual({
      operationName: 'Contents',
      variables: {},
      extensions: { tracing: true },
      query: CONTENTS,
    });
    const bare = await app.post({ extensions: apq(hex(CONTENTS)) });
    expect(bare.seen?.body).toEqual({ query: CONTENTS });
  });

  it('accepts documentId with or without the sha256: prefix, in either case', async () => {
    const app = await start('allow');
    for (const documentId of [documentIdOf(BINDINGS), hex(BINDINGS), hex(BINDINGS).toUpperCase()]) {
      expect((await app.post({ documentId })).seen?.body).toEqual({ query: BINDINGS });
    }
  });

  it('answers an unknown APQ hash with the message Apollo clients retry on, as HTTP 200', async () => {
    const app = await start('allow');
    const result = await app.post({ extensions: apq(UNKNOWN) });
    expect(result.seen).toBeUndefined();
    expect(result.status).toBe(200);
    expect(result.cacheControl).toBe('private, no-cache, must-revalidate');
    expect(result.json).toEqual({
      errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
    });
  });

  it('answers an unknown documentId with HTTP 400 and the id', async () => {
    const app = await start('allow');
    const result = await app.post({ documentId: `sha256:${UNKNOWN}` });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({
      errors: [
        {
          message: `Unknown persisted operation: sha256:${UNKNOWN}`,
          extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
        },
      ],
    });
    expect(messageOf((await app.post({ documentId: 'x'.repeat(500) })).json)).toHaveLength(
      'Unknown persisted operation: '.length + 81,
    );
  });

  it('runs ad-hoc text, and the text of an APQ retry without handing the hash to Apollo', async () => {
    const app = await start('allow');
    expect((await app.post({ query: '{ adHoc }' })).seen?.body).toEqual({ query: '{ adHoc }' });
    const retry = await app.post({ query: '{ adHoc }', extensions: apq(hex('{ adHoc }')) });
    expect(retry.seen?.body).toEqual({ query: '{ adHoc }' });
  });
});

describe('mode only', () => {
  const refused = {
    errors: [
      {
        message: expect.stringMatching(
          /^This server accepts only persisted operations \(TRUSTED_DOCUMENTS=only\); send the operation's hash/,
        ),
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
      },
    ],
  };

  it('refuses text that is not in the manifest with HTTP 400', async () => {
    const app = await start('only');
    const result = await app.post({ query: '{ contents { id keyId } }' });
    expect(result.seen).toBeUndefined();
    expect(result.status).toBe(400);
    expect(result.json).toEqual(refused);
    // A trusted operation with one character changed is another operation.
    expect((await app.post({ query: `${CONTENTS} ` })).status).toBe(400);
  });

  it("accepts a manifest operation's exact text, and known ids in both wire formats", async () => {
    const app = await start('only');
    expect((await app.post({ query: CONTENTS })).seen?.body).toEqual({ query: CONTENTS });
    expect((await app.post({ extensions: apq(hex(CONTENTS)) })).seen?.body).toEqual({ query: CONTENTS });
    expect((await app.post({ documentId: documentIdOf(BINDINGS) })).seen?.body).toEqual({ query: BINDINGS });
  });

  it('refuses the APQ retry of an unknown operation: registering is not trusting', async () => {
    const app = await start('only');
    const first = await app.post({ extensions: apq(hex('{ adHoc }')) });
    expect(messageOf(first.json)).toBe('PersistedQueryNotFound');
    const retry = await app.post({ query: '{ adHoc }', extensions: apq(hex('{ adHoc }')) });
    expect(retry.status).toBe(400);
    expect(retry.json).toEqual(refused);
  });

  it('leaves requests with neither text nor id to Apollo', async () => {
    const app = await start('only');
    expect((await app.post({ variables: {} })).seen?.body).toEqual({ variables: {} });
  });
});

describe('batches', () => {
  it('resolves each entry', async () => {
    const app = await start('only');
    const result = await app.post([
      { extensions: apq(hex(CONTENTS)) },
      { documentId: documentIdOf(BINDINGS) },
      { query: CONTENTS },
    ]);
    expect(result.seen?.body).toEqual([{ query: CONTENTS }, { query: BINDINGS }, { query: CONTENTS }]);
    expect(result.json).toEqual([
      { data: { ran: CONTENTS } },
      { data: { ran: BINDINGS } },
      { data: { ran: CONTENTS } },
    ]);
  });

  it('runs the accepted entries and puts the refusals back in their places', async () => {
    const app = await start('only');
    const result = await app.post([
      { query: '{ adHoc }' },
      { extensions: apq(hex(BINDINGS)) },
      { extensions: apq(UNKNOWN) },
      { query: CONTENTS },
    ]);
    expect(result.seen?.body).toEqual([{ query: BINDINGS }, { query: CONTENTS }]);
    expect(result.status).toBe(200);
    expect(result.json).toEqual([
      { errors: [expect.objectContaining({ message: expect.stringMatching(/^This server accepts only persisted/) })] },
      { data: { ran: BINDINGS } },
      { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] },
      { data: { ran: CONTENTS } },
    ]);
  });

  it('answers a batch with nothing to run itself', async () => {
    const app = await start('only');
    const result = await app.post([{ query: '{ a }' }, { documentId: UNKNOWN }]);
    expect(result.seen).toBeUndefined();
    expect(result.status).toBe(400);
    expect(result.json).toHaveLength(2);
    expect((result.json as unknown[])[1]).toEqual({
      errors: [
        { message: `Unknown persisted operation: ${UNKNOWN}`, extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
      ],
    });
  });
});

describe('GET', () => {
  it('rewrites a known id in the query string into the document (Apollo Kotlin sends hashed queries as GET)', async () => {
    const app = await start('only');
    const result = await app.get({
      operationName: 'Contents',
      variables: '{}',
      extensions: JSON.stringify(apq(hex(CONTENTS))),
    });
    const params = new URLSearchParams(result.seen!.url.split('?')[1]);
    expect(Object.fromEntries(params)).toEqual({ operationName: 'Contents', variables: '{}', query: CONTENTS });
    const byId = await app.get({ documentId: documentIdOf(BINDINGS) });
    expect(new URLSearchParams(byId.seen!.url.split('?')[1]).get('query')).toBe(BINDINGS);
  });

  it('refuses ad-hoc text and unknown ids in the query string too', async () => {
    const app = await start('only');
    const adHoc = await app.get({ query: '{ contents { id } }' });
    expect(adHoc.seen).toBeUndefined();
    expect(adHoc.status).toBe(400);
    const unknown = await app.get({ extensions: JSON.stringify(apq(UNKNOWN)) });
    expect(messageOf(unknown.json)).toBe('PersistedQueryNotFound');
    // Known text passes unchanged.
    expect((await app.get({ query: CONTENTS })).seen?.url).toBe(`/?${new URLSearchParams({ query: CONTENTS })}`);
  });
});
