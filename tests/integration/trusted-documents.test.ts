/**
 * TRUSTED_DOCUMENTS over HTTP, with the real app, Apollo and the committed manifest
 * (schema/persisted-documents.json): mobile and web apps send hashes, everything else is refused in `only`.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntitlementClient, type EntitlementClient } from '../../examples/web-client/src/client.js';
import { runFlow } from '../../examples/web-client/src/flow.js';
import { ContentsDocument, EntitlementsDocument } from '../../examples/web-client/src/gql/graphql.js';
import { loadManifest } from '../../src/http/trusted-documents.js';
import { newDeviceId, playLicenseUrl, playStream } from '../../src/device/simulated-device.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const hashOf = (document: unknown) =>
  (document as { __meta__: { hash: string } }).__meta__.hash.replace(/^sha256:/, '');
const apq = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });
const ONLY_REFUSAL =
  /^This server accepts only persisted operations \(TRUSTED_DOCUMENTS=only\); send the operation's hash/;

/** A GraphQL answer as these tests read it (a batch answers an array of them). */
interface Answer {
  data?: { contents: { edges: unknown[]; nodes: unknown[] } };
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

async function post<T = Answer>(app: TestApp, body: unknown, token: string) {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

describe('TRUSTED_DOCUMENTS=only', () => {
  let app: TestApp;
  let token: string;
  let client: EntitlementClient;

  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_DOCUMENTS: 'only' });
    token = await app.token('mobile-alice');
    client = createEntitlementClient({ url: app.url, token, persisted: true });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('runs the whole flow from the example client in persisted mode', async () => {
    const contents = (await client.request(ContentsDocument, {})).contents.edges.map((e) => e.node);
    expect(contents.length).toBeGreaterThan(0);
    const device = newDeviceId();
    const result = await runFlow(
      client,
      {
        async play(url) {
          expect((await playStream(url, device)).granted).toBe(true);
        },
      },
      contents[0].id,
      { pollIntervalMs: 20 },
    );
    expect(result.binding.status).toBe('BOUND');
    expect((await playLicenseUrl(result.purchase.licenseUrl, device)).granted).toBe(true);
    expect((await playLicenseUrl(result.purchase.licenseUrl, newDeviceId())).granted).toBe(false);
    const { entitlements } = await client.request(EntitlementsDocument, {});
    expect(entitlements.edges).toHaveLength(2);
  });

  it('refuses an ad-hoc query with HTTP 400 and PERSISTED_QUERY_NOT_FOUND', async () => {
    const adHoc = await app.gql('{ contents { nodes { id title } } }', {}, { token });
    expect(adHoc.status).toBe(400);
    expect(adHoc.errors).toEqual([
      { message: expect.stringMatching(ONLY_REFUSAL), extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
    ]);
    expect(adHoc.data).toBeUndefined();
    // Introspection is an ad-hoc query too.
    expect((await app.gql('{ __schema { types { name } } }')).status).toBe(400);
    // The example client sending text (print(), not the manifest's normalized text) is refused as well.
    const textClient = createEntitlementClient({ url: app.url, token });
    await expect(textClient.request(ContentsDocument, {})).rejects.toMatchObject({
      code: 'PERSISTED_QUERY_NOT_FOUND',
      status: 400,
    });
  });

  it("accepts a manifest operation's exact text, and documentId", async () => {
    const manifest = await loadManifest();
    const id = `sha256:${hashOf(ContentsDocument)}`;
    const byText = await post(app, { query: manifest[id] }, token);
    expect(byText.status).toBe(200);
    expect(byText.body.data?.contents.edges.length).toBeGreaterThan(0);
    const byId = await post(app, { documentId: id }, token);
    expect(byId.body).toEqual(byText.body);
  });

  it('answers an unknown hash as Apollo clients expect, and never registers it', async () => {
    const text = '{ contents { nodes { id keyId } } }';
    const hash = createHash('sha256').update(text).digest('hex');
    const first = await post(app, { extensions: apq(hash) }, token);
    expect(first).toEqual({
      status: 200,
      body: { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] },
    });
    expect((await post(app, { query: text, extensions: apq(hash) }, token)).status).toBe(400);
    expect((await post(app, { extensions: apq(hash) }, token)).body.errors?.[0]?.message).toBe(
      'PersistedQueryNotFound',
    );
  });

  it('refuses in the media type the client asked for', async () => {
    const hash = createHash('sha256').update('{ contents { nodes { id keyId } } }').digest('hex');
    const refusals: Array<[string, unknown, number]> = [
      ['unknown documentId', { documentId: `sha256:${hash}` }, 400],
      ['ad-hoc text', { query: '{ contents { nodes { id } } }' }, 400],
      ['a batch of refusals', [{ documentId: hash }, { query: '{ contents { nodes { id } } }' }], 400],
      // Apollo Server's own APQ miss is a 200 in both media types, and Apollo iOS resends the text only after a 2xx.
      ['unknown APQ hash', { extensions: apq(hash) }, 200],
    ];
    for (const [what, body, status] of refusals) {
      for (const accept of ['application/graphql-response+json', 'application/json']) {
        const response = await fetch(`${app.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
        expect(response.status, `${what}, ${accept}`).toBe(status);
        expect(response.headers.get('content-type'), `${what}, ${accept}`).toBe(`${accept}; charset=utf-8`);
        expect(JSON.stringify(await response.json())).toMatch(/"code":"PERSISTED_QUERY_NOT_FOUND"/);
      }
    }
    const get = await fetch(`${app.url}/graphql?${new URLSearchParams({ documentId: hash })}`, {
      headers: { 'apollo-require-preflight': 'true', accept: 'application/graphql-response+json' },
    });
    expect(get.status).toBe(400);
    expect(get.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
  });

  it('resolves a batch entry by entry through Apollo', async () => {
    const result = await post<Answer[]>(
      app,
      [
        { extensions: apq(hashOf(ContentsDocument)) },
        { query: '{ contents { nodes { id } } }' },
        { documentId: hashOf(ContentsDocument) },
      ],
      token,
    );
    expect(result.status).toBe(200);
    expect(result.body).toHaveLength(3);
    expect(result.body[0]?.data?.contents.edges.length).toBeGreaterThan(0);
    expect(result.body[1]?.errors?.[0]).toEqual({
      message: expect.stringMatching(ONLY_REFUSAL),
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
    });
    expect(result.body[2]).toEqual(result.body[0]);
  });

  it('serves hashed queries sent as GET, as Apollo Kotlin 4 does by default (with Apollo-Require-Preflight)', async () => {
    const params = new URLSearchParams({
      operationName: 'Contents',
      variables: '{}',
      extensions: JSON.stringify(apq(hashOf(ContentsDocument))),
    });
    const response = await fetch(`${app.url}/graphql?${params}`, {
      headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Answer).data?.contents.edges.length).toBeGreaterThan(0);
    const adHoc = await fetch(`${app.url}/graphql?${new URLSearchParams({ query: '{ contents { nodes { id } } }' })}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(adHoc.status).toBe(400);
  });
});

describe('TRUSTED_DOCUMENTS=allow', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_DOCUMENTS: 'allow' });
    token = await app.token('web-bob');
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('runs known hashes and ad-hoc text; an unknown hash asks for the text', async () => {
    const client = createEntitlementClient({ url: app.url, token, persisted: true });
    expect((await client.request(ContentsDocument, {})).contents.edges.length).toBeGreaterThan(0);
    expect(
      (await app.gql<{ contents: { nodes: unknown[] } }>('{ contents { nodes { id } } }', {}, { token })).data!.contents
        .nodes.length,
    ).toBeGreaterThan(0);
    const hash = createHash('sha256').update('{ contents { nodes { id } } }').digest('hex');
    expect((await post(app, { extensions: apq(hash) }, token)).body.errors?.[0]).toEqual({
      message: 'PersistedQueryNotFound',
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
    });
    const retry = await post(app, { query: '{ contents { nodes { id } } }', extensions: apq(hash) }, token);
    expect(retry.body.data?.contents.nodes.length).toBeGreaterThan(0);
  });
});

describe('TRUSTED_DOCUMENTS=off (default)', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp();
    token = await app.token('web-carol');
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("leaves persisted queries to Apollo's own APQ: unknown until registered with the text", async () => {
    const client = createEntitlementClient({ url: app.url, token, persisted: true });
    await expect(client.request(ContentsDocument, {})).rejects.toMatchObject({ code: 'PERSISTED_QUERY_NOT_FOUND' });
    const manifest = await loadManifest();
    const hash = hashOf(ContentsDocument);
    const registered = await post(app, { query: manifest[`sha256:${hash}`], extensions: apq(hash) }, token);
    expect(registered.body.data?.contents.edges.length).toBeGreaterThan(0);
    expect((await client.request(ContentsDocument, {})).contents.edges.length).toBeGreaterThan(0);
  });
});
