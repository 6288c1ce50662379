/** Every error a client can cause answers with a stable code and a message a person can act on. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDeviceId, playStream } from '../../src/device/simulated-device.js';
import { SignJWT } from 'jose';
import { signDevToken } from '../../src/auth/dev-token.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let user: string;
let boundId: string;
let pendingUser: string;
let pendingId: string;

const PURCHASE = `mutation($input: PurchaseInput!) { purchase(input: $input) { licenseUrl } }`;
const UPSERT = `mutation($input: UpsertContentInput!) { upsertContent(input: $input) { id } }`;
const goodContent = {
  id: 'err-film',
  title: 'Film',
  keyId: 'ab'.repeat(16),
  contentKey: 'cd'.repeat(16),
  iv: 'ef'.repeat(16),
  rental: { periodSeconds: 3600, playSeconds: 600 },
};

beforeAll(async () => {
  app = await startTestApp();
  const admin = await app.token('root', { admin: true });
  expect((await app.gql(UPSERT, { input: goodContent }, { token: admin })).errors).toBeUndefined();
  user = await app.token('user-1');
  const bound = await app.gql<{ bindDevice: { binding: { id: string }; contentUrl: string } }>(
    `mutation { bindDevice(input: {}) { binding { id } contentUrl } }`, {}, { token: user });
  boundId = bound.data!.bindDevice.binding.id;
  await playStream(bound.data!.bindDevice.contentUrl, newDeviceId());
  pendingUser = await app.token('user-2');
  const pending = await app.gql<{ bindDevice: { binding: { id: string } } }>(
    `mutation { bindDevice(input: {}) { binding { id } } }`, {}, { token: pendingUser });
  pendingId = pending.data!.bindDevice.binding.id;
});

afterAll(async () => {
  await app?.stop();
});

const codeOf = (r: { errors?: Array<{ extensions?: { code?: string } }> }) => r.errors?.[0]?.extensions?.code;

describe('authentication', () => {
  it('needs a token for every operation: HTTP 401 with a bare Bearer challenge when none was sent', async () => {
    for (const query of ['{ deviceBindings { nodes { id } } }', '{ entitlements { nodes { id } } }', '{ contents { nodes { id } } }', 'mutation { bindDevice(input: {}) { licenseUrl } }']) {
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
        const body = (await response.json()) as { data: unknown; errors: Array<{ message: string; extensions: unknown }> };
        expect(body.data).toBeNull();
        expect(body.errors[0]!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
        expect(body.errors[0]!.message).toMatch(/Authorization: Bearer/);
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
      expect(body.errors[0]!.extensions, authorization).toEqual({ code: 'UNAUTHENTICATED', reason });
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
      const jwt = new SignJWT({ roles: [] }).setProtectedHeader({ alg: 'HS256' }).setSubject('long-lived').setExpirationTime(claims.exp);
      if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
      return jwt.sign(new TextEncoder().encode(app.jwtSecret!));
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
      expect(r.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
      expect(r.errors![0]!.message).toMatch(/valid for longer than this service accepts .* at most 86400 seconds/);
    }
    for (const token of [await sign({ iat: now, exp: now + 86_400 }), await sign({ exp: now + 3600 }), await app.token('default-ttl')]) {
      expect((await app.gql('{ deviceBindings { nodes { id } } }', {}, { token })).errors).toBeUndefined();
    }
  });

  it('lets only admins write the catalog', async () => {
    const r = await app.gql(UPSERT, { input: goodContent }, { token: user });
    expect(codeOf(r)).toBe('FORBIDDEN');
  });
});

describe('bad input', () => {
  const badContent: Array<[string, Record<string, unknown>]> = [
    ['id', { id: 'has space' }],
    ['id', { id: 'x'.repeat(200) }],
    ['title', { title: '' }],
    ['keyId', { keyId: 'xyz' }],
    ['contentKey', { contentKey: '12' }],
    ['iv', { iv: 'nothex'.repeat(6) }],
    ['rental.periodSeconds', { rental: { periodSeconds: 0, playSeconds: 1 } }],
    ['rental.playSeconds', { rental: { periodSeconds: 10, playSeconds: 11 } }],
  ];
  it.each(badContent)('upsertContent rejects a bad %s', async (field, patch) => {
    const admin = await app.token('root', { admin: true });
    const r = await app.gql(UPSERT, { input: { ...goodContent, ...patch } }, { token: admin });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0]!.extensions!.field).toBe(field);
  });

  it('purchase: unknown content, unknown binding, bad key', async () => {
    const base = { contentId: 'err-film', bindingId: boundId, idempotencyKey: 'user-1-key-0001' };
    expect(codeOf(await app.gql(PURCHASE, { input: { ...base, contentId: 'nope' } }, { token: user }))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(PURCHASE, { input: { ...base, contentId: '' } }, { token: user }))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(PURCHASE, { input: { ...base, bindingId: 'not-a-uuid' } }, { token: user }))).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(PURCHASE, { input: { ...base, bindingId: '00000000-0000-4000-8000-000000000000' } }, { token: user }))).toBe('NOT_FOUND');
    const short = await app.gql(PURCHASE, { input: { ...base, idempotencyKey: 'short' } }, { token: user });
    expect(codeOf(short)).toBe('BAD_USER_INPUT');
    expect(short.errors![0]!.extensions!.field).toBe('idempotencyKey');
  });

  it('purchase: a reused idempotency key for another request', async () => {
    const key = { bindingId: boundId, idempotencyKey: 'user-1-reuse-0001' };
    expect((await app.gql(PURCHASE, { input: { ...key, contentId: 'err-film' } }, { token: user })).errors).toBeUndefined();
    const r = await app.gql(`mutation($input: RentInput!) { rent(input: $input) { licenseUrl } }`, { input: { ...key, contentId: 'err-film' } }, { token: user });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
  });

  it('purchase with a binding that is not bound', async () => {
    const r = await app.gql(PURCHASE, { input: { contentId: 'err-film', bindingId: pendingId, idempotencyKey: 'user-2-key-0001' } }, { token: pendingUser });
    expect(codeOf(r)).toBe('DEVICE_NOT_BOUND');
    expect(r.errors![0]!.message).toMatch(/play the dummy stream/);
  });

  it('licenseToken without an entitlement', async () => {
    const other = await app.token('user-3');
    const b = await app.gql<{ bindDevice: { binding: { id: string }; contentUrl: string } }>(
      `mutation { bindDevice(input: {}) { binding { id } contentUrl } }`, {}, { token: other });
    await playStream(b.data!.bindDevice.contentUrl, newDeviceId());
    const r = await app.gql(`query($b: ID!) { licenseToken(contentId: "err-film", bindingId: $b) { licenseUrl } }`, { b: b.data!.bindDevice.binding.id }, { token: other });
    expect(codeOf(r)).toBe('NOT_ENTITLED');
  });

  it('wrong types and unknown enum values are GraphQL validation errors, not 500s', async () => {
    const r = await app.gql(PURCHASE, { input: { contentId: 1, bindingId: boundId, idempotencyKey: 'user-1-key-0002', drm: 'CLEARKEY' } }, { token: user });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.status).toBe(400);
    const s = await app.gql('{ deviceBinding(id: 1, extra: 2) { id } }', {}, { token: user });
    expect(codeOf(s)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('bindDevice: name too long; second device beyond MAX_DEVICES', async () => {
    const r = await app.gql(`mutation { bindDevice(input: { name: "${'n'.repeat(65)}" }) { licenseUrl } }`, {}, { token: await app.token('user-4') });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    const again = await app.gql(`mutation { bindDevice(input: {}) { licenseUrl } }`, {}, { token: user });
    expect(codeOf(again)).toBe('DEVICE_LIMIT_REACHED');
  });
});
