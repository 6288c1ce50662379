/** RS256 tokens from an identity provider, verified through its JWKS endpoint (AUTH_JWKS_URL). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let idp: http.Server;
let sign: (claims: Record<string, unknown>, subject?: string) => Promise<string>;
let foreign: (subject: string) => Promise<string>;

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  idp = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/.well-known/jwks.json`;
  const build = (claims: Record<string, unknown>, subject: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject(subject)
      .setIssuer('https://idp.example')
      .setAudience('entitlements')
      .setExpirationTime('10m');
  sign = (claims, subject = 'rs-user') => build(claims, subject).sign(privateKey);
  foreign = (subject) => build({}, subject).sign(other.privateKey);
  app = await startTestApp({ AUTH_JWKS_URL: url, AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'entitlements' });
});

afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => idp?.close(resolve));
});

describe('AUTH_JWKS_URL', () => {
  it('accepts a token signed by the provider and reads roles', async () => {
    const user = await app.gql<{ deviceBindings: unknown[] }>(
      '{ deviceBindings { nodes { id } } }',
      {},
      { token: await sign({}) },
    );
    expect(user.errors).toBeUndefined();
    const admin = await app.gql(
      `mutation { upsertContent(input: { id: "rs-film", title: "RS", keyId: "${'ab'.repeat(16)}", contentKey: "${'cd'.repeat(16)}", rental: { periodSeconds: 60, playSeconds: 60 } }) { id } }`,
      {},
      { token: await sign({ roles: ['admin'] }, 'rs-admin') },
    );
    expect(admin.errors).toBeUndefined();
  });

  it('refuses a key the provider does not publish, and HS256 tokens', async () => {
    for (const token of [await foreign('rs-user'), await app.token('rs-user')]) {
      const r = await app.gql('{ deviceBindings { nodes { id } } }', {}, { token });
      expect(r.status).toBe(401);
      expect(r.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    }
  });
});
