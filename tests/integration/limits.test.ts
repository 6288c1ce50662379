/** Hostile or careless requests get clear errors with a code, never a 500 or an HTML page. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp({ GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_ALIASES: '60', GRAPHQL_MAX_BATCH: '3', GRAPHQL_BODY_LIMIT: '20000' });
  token = await app.token('limits-user');
});
afterAll(async () => {
  await app?.stop();
});

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body,
  });

describe('query limits', () => {
  it('refuses a query deeper than GRAPHQL_MAX_DEPTH', async () => {
    const r = await app.gql(
      `{ entitlements { content { rental { periodSeconds } } } }`,
      {},
      { token },
    );
    expect(r.status).toBe(400);
    expect(r.errors![0]!.extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors![0]!.message).toMatch(/depth 4 exceeds the limit of 3/);
  });

  it('refuses too many aliases', async () => {
    const q = `{ ${Array.from({ length: 61 }, (_, i) => `a${i}: contents { id }`).join(' ')} }`;
    const r = await app.gql(q, {}, { token });
    expect(r.errors![0]!.extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors![0]!.message).toMatch(/61 aliases/);
  });

  it('refuses a query whose estimated cost is too high', async () => {
    const q = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: entitlements { id content { id title keyId } }`).join(' ')} }`;
    const r = await app.gql(q, {}, { token });
    expect(r.errors![0]!.extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors![0]!.message).toMatch(/estimated cost/);
  });

  it('allows 50 aliases of a single-item query, and deep introspection (GraphiQL needs it)', async () => {
    const q = `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: content(id: "sintel") { id }`).join(' ')} }`;
    expect((await app.gql(q, {}, { token })).errors).toBeUndefined();
    const introspection = `{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }`;
    expect((await app.gql(introspection, {}, { token })).errors).toBeUndefined();
  });

  it('caps batches', async () => {
    const one = { query: '{ contents { id } }' };
    const ok = await post(JSON.stringify([one, one, one]));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toHaveLength(3);
    const tooMany = await post(JSON.stringify([one, one, one, one]));
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('answers an oversized or malformed body with JSON, not a stack trace', async () => {
    const big = await post(JSON.stringify({ query: `{ contents { id } }`, variables: { pad: 'x'.repeat(30000) } }));
    expect(big.status).toBe(413);
    const bigBody = await big.text();
    expect(JSON.parse(bigBody)).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    const bad = await post('{"query": ');
    expect(bad.status).toBe(400);
    const badBody = await bad.text();
    expect(JSON.parse(badBody)).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    for (const body of [bigBody, badBody]) expect(body).not.toMatch(/at .*\.js|node_modules|<html/i);
  });

  it('answers these refusals in the media type the client asked for', async () => {
    const one = { query: '{ contents { id } }' };
    const refusals: Array<[string, string, number]> = [
      ['not JSON', '{"query": ', 400],
      ['too large', JSON.stringify({ ...one, variables: { pad: 'x'.repeat(30000) } }), 413],
      ['too many operations', JSON.stringify([one, one, one, one]), 400],
    ];
    const accepts: Array<[string | undefined, string]> = [
      ['application/graphql-response+json', 'application/graphql-response+json; charset=utf-8'],
      ['application/graphql-response+json,application/json;q=0.9', 'application/graphql-response+json; charset=utf-8'],
      ['application/json, application/graphql-response+json', 'application/json; charset=utf-8'],
      ['*/*', 'application/json; charset=utf-8'],
      [undefined, 'application/json; charset=utf-8'],
    ];
    for (const [what, body, status] of refusals) {
      for (const [accept, contentType] of accepts) {
        const r = await post(body, accept === undefined ? {} : { accept });
        expect(r.status, `${what}, Accept: ${accept}`).toBe(status);
        expect(r.headers.get('content-type'), `${what}, Accept: ${accept}`).toBe(contentType);
        expect(await r.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
      }
    }
  });

  it('keeps CSRF prevention on: a simple GET without a preflight header is refused', async () => {
    const r = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ contents { id } }')}`);
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/CSRF/i);
  });
});

describe('production switches', () => {
  it('turns introspection off with GRAPHQL_INTROSPECTION=false', async () => {
    const prod = await startTestApp({ GRAPHQL_INTROSPECTION: 'false' });
    try {
      const r = await prod.gql('{ __schema { queryType { name } } }', {}, { token: await prod.token('u') });
      expect(r.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(r.errors![0]!.message).toMatch(/introspection/i);
    } finally {
      await prod.stop();
    }
  });
});
