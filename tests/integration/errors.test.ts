/**
 * Every error a client can cause answers with a stable code and a message a person can act on: what only HTTP shows
 * (401 and its challenge, status 400 for a document that does not validate). The resolvers' codes for bad arguments
 * are in tests/service/resolvers.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { signDevToken } from '../../src/auth/dev-token.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let user: string;

const PURCHASE = `mutation($input: PurchaseInput!) { purchase(input: $input) { licenseUrl } }`;

beforeAll(async () => {
  app = await startTestApp();
  user = await app.token('user-1');
});

afterAll(async () => {
  await app?.stop();
});

const codeOf = (r: { errors?: Array<{ extensions?: { code?: string } }> }) => r.errors?.[0]?.extensions?.code;

describe('authentication', () => {
  it('needs a token for every operation: HTTP 401 with a bare Bearer challenge when none was sent', async () => {
    for (const query of [
      '{ deviceBindings { nodes { id } } }',
      '{ entitlements { nodes { id } } }',
      '{ contents { nodes { id } } }',
      'mutation { bindDevice(input: {}) { licenseUrl } }',
    ]) {
      for (const accept of ['application/json', 'application/graphql-response+json']) {
        const response = await fetch(`${app.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept },
          body: JSON.stringify({ query }),
        });
        expect(response.status, query).toBe(401);
        // RFC 6750 3.1: no error code when the request carried no credentials.
        expect(response.headers.get('www-authenticate'), query).toBe('Bearer');
        expect(response.headers.get('content-type'), query).toBe(`${accept}; charset=utf-8`);
        const body = (await response.json()) as {
          data: unknown;
          errors: Array<{ message: string; extensions: unknown }>;
        };
        expect(body.data).toBeNull();
        expect(body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
        expect(body.errors[0].message).toMatch(/Authorization: Bearer/);
      }
    }
  });

  it('answers introspection without a token (GraphiQL loads the schema before a token is pasted)', async () => {
    const r = await app.gql('{ __typename __schema { queryType { name } } }');
    expect(r.status).toBe(200);
    expect(r.errors).toBeUndefined();
  });

  it('refuses a bad, expired or foreign token with HTTP 401', async () => {
    const expired = await app.token('x', { ttlSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    // Flip the signature's first character: the last one can carry only padding bits, and changing those
    // leaves the signature valid.
    const [head, payload, signature] = (await app.token('x')).split('.') as [string, string, string];
    const forged = `${head}.${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const otherSecret = await signDevToken('o'.repeat(40), 'x');
    const cases: Array<[string, string, string]> = [
      ['Bearer nonsense', 'TOKEN_INVALID', 'Bearer error="invalid_token"'],
      [`Bearer ${expired}`, 'TOKEN_EXPIRED', 'Bearer error="invalid_token", error_description="The token has expired"'],
      [`Bearer ${forged}`, 'TOKEN_INVALID', 'Bearer error="invalid_token"'],
      [`Bearer ${otherSecret}`, 'TOKEN_INVALID', 'Bearer error="invalid_token"'],
      ['Basic dXNlcjpwYXNz', 'MALFORMED_HEADER', 'Bearer error="invalid_request"'],
    ];
    for (const [authorization, reason, challenge] of cases) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: '{ deviceBindings { nodes { id } } }' }),
      });
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate'), authorization).toBe(challenge);
      const body = (await response.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
      expect(body.errors[0].extensions, authorization).toEqual({ code: 'UNAUTHENTICATED', reason });
    }
  });

  it('takes the Bearer scheme in any case (RFC 7235)', async () => {
    const token = await app.token('any-case');
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `${scheme} ${token}` },
        body: JSON.stringify({ query: '{ deviceBindings { nodes { id } } }' }),
      });
      expect(response.status, scheme).toBe(200);
      expect(await response.json(), scheme).toEqual({ data: { deviceBindings: { nodes: [] } } });
    }
  });

  it('refuses a token that claims to live longer than AUTH_MAX_TOKEN_LIFETIME (default 24 h)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: { iat?: number; exp: number }) => {
      const jwt = new SignJWT({ roles: [] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('long-lived')
        .setExpirationTime(claims.exp);
      if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
      return jwt.sign(new TextEncoder().encode(app.jwtSecret));
    };
    const refused = [
      await sign({ exp: 1e20 }),
      await sign({ iat: now, exp: 1e20 }),
      await sign({ exp: now + 30 * 86_400 }),
      // Issued two days ago for three days: one day left, but a three-day token all the same.
      await sign({ iat: now - 2 * 86_400, exp: now + 86_400 }),
    ];
    for (const token of refused) {
      const r = await app.gql('{ deviceBindings { nodes { id } } }', {}, { token });
      expect(r.status).toBe(401);
      expect(r.errors![0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
      expect(r.errors![0].message).toMatch(/valid for longer than this service accepts .* at most 86400 seconds/);
    }
    for (const token of [
      await sign({ iat: now, exp: now + 86_400 }),
      await sign({ exp: now + 3600 }),
      await app.token('default-ttl'),
    ]) {
      expect((await app.gql('{ deviceBindings { nodes { id } } }', {}, { token })).errors).toBeUndefined();
    }
  });
});

describe('bad input over HTTP', () => {
  it('wrong types and unknown enum values are GraphQL validation errors, not 500s', async () => {
    const r = await app.gql(
      PURCHASE,
      {
        input: {
          contentId: 1,
          bindingId: '00000000-0000-4000-8000-000000000000',
          idempotencyKey: 'user-1-key-0002',
          drm: 'CLEARKEY',
        },
      },
      { token: user },
    );
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.status).toBe(400);
    const s = await app.gql('{ deviceBinding(id: 1, extra: 2) { id } }', {}, { token: user });
    expect(codeOf(s)).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
