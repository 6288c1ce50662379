/**
 * Every bad argument gets its code and names its field, through the resolvers as Apollo Server runs them
 * (`executeOperation`, formatError included) with a test context: no listener, no sandbox, no JWTs. These rules were
 * tested over HTTP; tests/integration/errors.test.ts keeps what only HTTP shows (401s, challenges, status 400).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceHarness, type ServiceHarness } from '../helpers/service-harness.js';

const PURCHASE = `mutation($input: PurchaseInput!) { purchase(input: $input) { licenseUrl } }`;
const UPSERT = `mutation($input: UpsertContentInput!) { upsertContent(input: $input) { id } }`;
const BIND = `mutation($name: String) { bindDevice(input: { name: $name }) { binding { id } } }`;
const goodContent = {
  id: 'err-film',
  title: 'Film',
  keyId: 'ab'.repeat(16),
  contentKey: 'cd'.repeat(16),
  iv: 'ef'.repeat(16),
  rental: { periodSeconds: 3600, playSeconds: 600 },
};

let h: ServiceHarness;
let boundId: string;
let pendingId: string;

type Result = Awaited<ReturnType<ServiceHarness['execute']>>;
const codeOf = (r: Result) => r.errors?.[0]?.extensions?.code;

/** bindDevice as `userId` through GraphQL; with `play`, a device then plays the dummy stream. */
async function bind(userId: string, play: boolean): Promise<string> {
  const r = await h.execute<{ bindDevice: { binding: { id: string } } }>(BIND, {}, { userId });
  expect(r.errors).toBeUndefined();
  const id = r.data!.bindDevice.binding.id;
  if (play) h.expressplay.play((await h.store.getBinding(id))!.cookie, 'f'.repeat(32));
  return id;
}

beforeAll(async () => {
  h = await createServiceHarness();
  expect((await h.execute(UPSERT, { input: goodContent }, { userId: 'root', admin: true })).errors).toBeUndefined();
  boundId = await bind('user-1', true);
  pendingId = await bind('user-2', false);
});

afterAll(async () => {
  await h?.close();
});

describe('resolvers refuse bad input with a code and the field', () => {
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
    const r = await h.execute(UPSERT, { input: { ...goodContent, ...patch } }, { userId: 'root', admin: true });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions!.field).toBe(field);
  });

  it('upsertContent: only admins write the catalog', async () => {
    expect(codeOf(await h.execute(UPSERT, { input: goodContent }, { userId: 'user-1' }))).toBe('FORBIDDEN');
  });

  it('every operation but introspection needs a viewer: UNAUTHENTICATED', async () => {
    expect(codeOf(await h.execute('{ deviceBindings { nodes { id } } }'))).toBe('UNAUTHENTICATED');
  });

  it('purchase: unknown content, unknown binding, bad key', async () => {
    const base = { contentId: 'err-film', bindingId: boundId, idempotencyKey: 'user-1-key-0001' };
    const purchase = (patch: Record<string, unknown>) =>
      h.execute(PURCHASE, { input: { ...base, ...patch } }, { userId: 'user-1' });
    expect(codeOf(await purchase({ contentId: 'nope' }))).toBe('NOT_FOUND');
    expect(codeOf(await purchase({ contentId: '' }))).toBe('NOT_FOUND');
    expect(codeOf(await purchase({ bindingId: 'not-a-uuid' }))).toBe('NOT_FOUND');
    expect(codeOf(await purchase({ bindingId: '00000000-0000-4000-8000-000000000000' }))).toBe('NOT_FOUND');
    const short = await purchase({ idempotencyKey: 'short' });
    expect(codeOf(short)).toBe('BAD_USER_INPUT');
    expect(short.errors![0].extensions!.field).toBe('idempotencyKey');
  });

  it('purchase: a reused idempotency key for another request', async () => {
    const key = { bindingId: boundId, idempotencyKey: 'user-1-reuse-0001', contentId: 'err-film' };
    expect((await h.execute(PURCHASE, { input: key }, { userId: 'user-1' })).errors).toBeUndefined();
    const r = await h.execute(
      `mutation($input: RentInput!) { rent(input: $input) { licenseUrl } }`,
      { input: key },
      {
        userId: 'user-1',
      },
    );
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions!.field).toBe('idempotencyKey');
  });

  it('purchase with a binding that is not bound', async () => {
    const input = { contentId: 'err-film', bindingId: pendingId, idempotencyKey: 'user-2-key-0001' };
    const r = await h.execute(PURCHASE, { input }, { userId: 'user-2' });
    expect(codeOf(r)).toBe('DEVICE_NOT_BOUND');
    expect(r.errors![0].message).toMatch(/play the dummy stream/);
  });

  it('licenseToken without an entitlement', async () => {
    const b = await bind('user-3', true);
    const r = await h.execute(
      `query($b: ID!) { licenseToken(contentId: "err-film", bindingId: $b) { licenseUrl } }`,
      { b },
      { userId: 'user-3' },
    );
    expect(codeOf(r)).toBe('NOT_ENTITLED');
  });

  it('bindDevice: name too long; second device beyond MAX_DEVICES', async () => {
    const r = await h.execute(BIND, { name: 'n'.repeat(65) }, { userId: 'user-4' });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions!.field).toBe('name');
    expect(codeOf(await h.execute(BIND, {}, { userId: 'user-1' }))).toBe('DEVICE_LIMIT_REACHED');
  });

  it('an unexpected failure is masked: INTERNAL_SERVER_ERROR, and nothing of its message', async () => {
    h.expressplay.failRecords(new Error('connect ECONNREFUSED 10.0.0.7:443 customerAuthenticator=secret-value'));
    try {
      const r = await h.execute(
        'query($id: ID!) { deviceBinding(id: $id) { status } }',
        { id: pendingId },
        { userId: 'user-2' },
      );
      expect(JSON.stringify(r.errors)).not.toMatch(/secret-value|10\.0\.0\.7/);
      expect(codeOf(r)).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      h.expressplay.failRecords(undefined);
    }
  });
});
