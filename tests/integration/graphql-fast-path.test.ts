/**
 * POST /graphql is answered without Express when it is one plain JSON operation (src/http/graphql-fast-path.ts),
 * and by Express otherwise. Every request here is sent both ways, over real sockets, against one server: once as
 * the fast path takes it, once with `Content-Encoding: identity`, which only Express takes (its JSON parser reads
 * it the same). The answers must be the same: status, media type, challenge and body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/http/trusted-documents.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { fanOut } from '../helpers/hostile-documents.js';

let app: TestApp;
let token: string;
/** A document of the committed manifest (codegen's persisted documents), by its id. */
let knownId: string;

beforeAll(async () => {
  knownId = Object.keys(await loadManifest())[0].slice('sha256:'.length);
  app = await startTestApp({ TRUSTED_DOCUMENTS: 'allow' });
  token = await app.token('fast-path-user');
});
afterAll(() => app?.stop());

interface Answer {
  status: number;
  type: string | null;
  challenge: string | null;
  etag: string | null;
  requestId: string | null;
  body: string;
}

async function post(body: string, headers: Record<string, string>, viaExpress: boolean): Promise<Answer> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...headers,
      ...(viaExpress ? { 'content-encoding': 'identity' } : {}),
    },
    body,
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    challenge: response.headers.get('www-authenticate'),
    etag: response.headers.get('etag'),
    requestId: response.headers.get('x-request-id'),
    body: await response.text(),
  };
}

const json = (value: unknown) => JSON.stringify(value);

describe('POST /graphql without Express', () => {
  const cases: Array<[string, () => string, () => Record<string, string>]> = [
    [
      'a query',
      () => json({ query: '{ contents(first: 2) { edges { node { id title } } } }' }),
      () => ({ authorization: `Bearer ${token}` }),
    ],
    [
      "a viewer's query",
      () => json({ query: '{ entitlements(first: 1) { edges { node { id } } } }' }),
      () => ({ authorization: `Bearer ${token}` }),
    ],
    ['a refused token', () => json({ query: '{ __typename }' }), () => ({ authorization: 'Bearer nonsense' })],
    ['a missing token', () => json({ query: '{ entitlements(first: 1) { edges { node { id } } } }' }), () => ({})],
    ['a validation error', () => json({ query: '{ nope }' }), () => ({})],
    [
      'variables of the wrong type',
      () => json({ query: 'query ($n: Int) { contents(first: $n) { edges { node { id } } } }', variables: { n: 'x' } }),
      () => ({ authorization: `Bearer ${token}` }),
    ],
    ['a document over the limits', () => json({ query: fanOut(26) }), () => ({})],
    [
      'a trusted document by id',
      () => json({ extensions: { persistedQuery: { version: 1, sha256Hash: knownId } } }),
      () => ({}),
    ],
    [
      'an unknown persisted id',
      () => json({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }),
      () => ({}),
    ],
    ['a batch', () => json([{ query: '{ __typename }' }, { query: fanOut(26) }]), () => ({})],
    ['a body that is no JSON', () => '{"query": ', () => ({})],
    ['a JSON string', () => '"{ __typename }"', () => ({})],
    ['a byte-order mark', () => `\ufeff${json({ query: '{ __typename }' })}`, () => ({})],
    ['a body without a query', () => json({ variables: {} }), () => ({})],
    ['a client request id', () => json({ query: '{ __typename }' }), () => ({ 'x-request-id': 'client-id-1' })],
  ];

  it.each(cases)('answers %s as Express does', async (_name, body, headers) => {
    const fast = await post(body(), headers(), false);
    const slow = await post(body(), headers(), true);
    const { etag: _fastEtag, requestId: fastId, ...fastRest } = fast;
    const { etag: _slowEtag, requestId: slowId, ...slowRest } = slow;
    expect(fastRest).toEqual(slowRest);
    expect(fastId).toBeTruthy();
    expect(slowId).toBeTruthy();
    if (headers()['x-request-id']) expect([fastId, slowId]).toEqual(['client-id-1', 'client-id-1']);
  });

  it('takes the plain operations, and leaves the rest to Express', async () => {
    // Express tags what it sends with an ETag; the fast path does not (a POST answer is never revalidated).
    const plain = await post(json({ query: '{ __typename }' }), {}, false);
    expect(plain.status).toBe(200);
    expect(plain.etag).toBeNull();
    expect((await post(json({ query: '{ __typename }' }), {}, true)).etag).not.toBeNull();
    expect((await post(json([{ query: '{ __typename }' }]), {}, false)).etag).not.toBeNull();
  });
});
