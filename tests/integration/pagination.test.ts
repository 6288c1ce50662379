/**
 * contents, entitlements and deviceBindings as Relay connections: paging to the end sees every row exactly once
 * while rows are added between pages, page sizes and cursors are checked, each page is one store query (titles in
 * one more), and no content key is read for a list.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestStore } from '../helpers/test-store.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');

let app: TestApp;
let store: Store;
/** Calls per store method, to show how many queries a page takes. */
const calls = new Map<string, number>();

beforeAll(async () => {
  const real = await createTestStore();
  store = new Proxy(real, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  app = await startTestApp({}, { store });
});
afterAll(async () => {
  await app?.stop();
  await store?.close();
});

const title = (id: string) => ({
  id,
  title: `Title ${id}`,
  keyId: randomBytes(16).toString('hex'),
  contentKey: randomBytes(16).toString('hex'),
  iv: null,
  rentalPeriodSeconds: 3600,
  rentalPlaySeconds: 600,
});

async function newBinding(userId: string, createdAtMs: number, id: string = randomUUID()) {
  return store.createBinding({
    id,
    userId,
    name: null,
    cookie: randomBytes(16).toString('hex'),
    drm: 'wv',
    createdAt: new Date(createdAtMs),
    pendingExpiresAt: new Date(createdAtMs),
  });
}

async function newEntitlement(userId: string, contentId: string, bindingId: string, createdAtMs: number) {
  const { entitlement } = await store.createEntitlement({
    id: randomUUID(),
    userId,
    contentId,
    kind: 'PURCHASE',
    bindingId,
    idempotencyKey: randomUUID(),
    createdAt: new Date(createdAtMs),
    expiresAt: null,
    playSeconds: null,
  });
  return entitlement;
}

interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Every page of `field` from the start, calling `between` after each page. */
async function pageThrough<T>(
  token: string,
  field: string,
  selection: string,
  first: number,
  between: () => Promise<void>,
) {
  const pages: Connection<T>[] = [];
  let after: string | null = null;
  for (;;) {
    const r: { data?: Record<string, Connection<T>> | null; errors?: unknown } = await app.gql<
      Record<string, Connection<T>>
    >(
      `query($first: Int!, $after: String) { ${field}(first: $first, after: $after) {
        edges { cursor node { ${selection} } } nodes { ${selection} } pageInfo { hasNextPage endCursor } } }`,
      { first, after },
      { token },
    );
    expect(r.errors).toBeUndefined();
    const page: Connection<T> = r.data![field];
    expect(page.nodes).toEqual(page.edges.map((e) => e.node));
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    pages.push(page);
    if (!page.pageInfo.hasNextPage) return pages;
    expect(pages.length).toBeLessThan(100);
    after = page.pageInfo.endCursor;
    await between();
  }
}

describe('pagination', () => {
  it('pages through the catalog by id, with no duplicates or gaps while titles are added between pages', async () => {
    const token = await app.token('catalog-reader');
    const ids = Array.from({ length: 45 }, (_, i) => `p-${String(i).padStart(3, '0')}`);
    for (const id of ids) await store.upsertContent(title(id), new Date(T0));
    const before = (await store.listContentsPage(1000, null)).map((c) => c.id);
    let n = 0;
    const pages = await pageThrough<{ id: string; title: string }>(token, 'contents', 'id title', 10, async () => {
      // One title sorting before every page seen so far, one after: neither shifts the page that comes next.
      await store.upsertContent(title(`a-${n}`), new Date(T0));
      await store.upsertContent(title(`p-${String(n++).padStart(3, '0')}-late`), new Date(T0));
    });
    const seen = pages.flatMap((p) => p.nodes.map((c) => c.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    for (const id of before) expect(seen).toContain(id);
    expect(seen.filter((id) => id.startsWith('a-'))).toEqual([]);
    expect(pages[0].nodes).toHaveLength(10);
  });

  it("pages through a user's entitlements newest first, titles in one query per page and no key read", async () => {
    const userId = `library-${randomUUID()}`;
    const token = await app.token(userId);
    const binding = await newBinding(userId, T0);
    for (let i = 0; i < 40; i++) await store.upsertContent(title(`lib-${i}`), new Date(T0));
    // Ties on createdAt (four per second) are broken by id.
    const made = [];
    for (let i = 0; i < 40; i++)
      made.push(await newEntitlement(userId, `lib-${i}`, binding.id, T0 + Math.floor(i / 4) * 1000));
    await newEntitlement(`someone-else-${randomUUID()}`, 'lib-0', (await newBinding(`x-${randomUUID()}`, T0)).id, T0);
    calls.clear();
    let n = 0;
    const pages = await pageThrough<{ id: string; createdAt: string; content: { id: string; title: string } }>(
      token,
      'entitlements',
      'id createdAt content { id title }',
      7,
      async () => {
        // Newer than everything already paged: it belongs before the first page and never shows up later.
        await store.upsertContent(title(`late-${n}`), new Date(T0));
        await newEntitlement(userId, `late-${n++}`, binding.id, T0 + 999_000);
      },
    );
    const seen = pages.flatMap((p) => p.nodes);
    expect(seen.map((e) => e.id)).toEqual(
      [...made]
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
        .map((e) => e.id),
    );
    for (const e of seen) expect(e.content.title).toBe(`Title ${e.content.id}`);
    expect(pages).toHaveLength(6);
    // One query for each page's rows and one for its titles; the keys are not read at all.
    expect(calls.get('listEntitlementsPage')).toBe(6);
    expect(calls.get('contentsByIds')).toBe(6);
    expect(calls.get('getContent')).toBeUndefined();
  });

  it("pages through a user's device bindings newest first", async () => {
    const userId = `devices-${randomUUID()}`;
    const token = await app.token(userId);
    const made = [];
    for (let i = 0; i < 12; i++) made.push(await newBinding(userId, T0 + Math.floor(i / 3) * 1000));
    await newBinding(`other-${randomUUID()}`, T0);
    const pages = await pageThrough<{ id: string }>(token, 'deviceBindings', 'id', 5, async () => {
      await newBinding(userId, T0 + 999_000);
    });
    expect(pages.flatMap((p) => p.nodes.map((b) => b.id))).toEqual(
      [...made]
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
        .map((b) => b.id),
    );
  });

  it('refuses a page size over the maximum, and below 1, saying the limit', async () => {
    const token = await app.token('limits-reader');
    for (const first of [101, 0, -1]) {
      const r = await app.gql(`query($first: Int!) { contents(first: $first) { nodes { id } } }`, { first }, { token });
      expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
      expect(r.errors![0].message).toContain('between 1 and 100');
    }
    const r = await app.gql(`{ contents(first: 100) { nodes { id } } }`, {}, { token });
    expect(r.errors).toBeUndefined();
  });

  it('refuses malformed, altered and foreign cursors with BAD_USER_INPUT', async () => {
    const token = await app.token(`cursor-${randomUUID()}`);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const contentsPage = await app.gql<{ contents: Connection<{ id: string }> }>(
      `{ contents(first: 1) { pageInfo { endCursor } } }`,
      {},
      { token },
    );
    const contentCursor = contentsPage.data!.contents.pageInfo.endCursor!;
    const bad: Array<[string, string]> = [
      ['entitlements', 'not a cursor!'],
      ['entitlements', ''],
      ['entitlements', 'x'.repeat(1000)],
      ['entitlements', Buffer.from('{not json').toString('base64url')],
      ['entitlements', b64({ createdAt: '2030-01-01T00:00:00.000Z', id: 'x' })],
      ['entitlements', b64(['entitlement', '2030-01-01T00:00:00.000Z'])],
      ['entitlements', b64(['entitlement', 'yesterday', 'x'])],
      ['entitlements', b64(['entitlement', '2030-13-45T00:00:00.000Z', 'x'])],
      ['entitlements', b64(['entitlement', 1, 'x'])],
      ['deviceBindings', b64(['entitlement', '2030-01-01T00:00:00.000Z', 'x'])],
      ['entitlements', contentCursor],
      ['contents', b64(['content', ''])],
    ];
    for (const [field, after] of bad) {
      const r = await app.gql(
        `query($after: String) { ${field}(after: $after) { nodes { id } } }`,
        { after },
        { token },
      );
      expect(r.errors?.[0]?.extensions, `${field} ${after}`).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
      expect(r.errors![0].message).toMatch(/pageInfo\.endCursor/);
    }
    // A well-formed position, even one never issued, is just a place in the viewer's own list.
    const r = await app.gql(
      `query($after: String) { entitlements(after: $after) { nodes { id } } }`,
      { after: b64(['entitlement', '2031-01-01T00:00:00.000Z', 'zzz']) },
      { token },
    );
    expect(r.errors).toBeUndefined();
  });

  it('costs a connection by first', async () => {
    const token = await app.token('cost-reader');
    const q = (first: number) => `{ deviceBindings(first: ${first}) { nodes { id status drm } } }`;
    expect((await app.gql(q(50), {}, { token })).errors).toBeUndefined();
    const r = await app.gql(q(100), {}, { token });
    expect(r.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors![0].message).toMatch(/cost/);
    // Through a variable, judged after coercion the same way.
    const v = await app.gql(
      `query($n: Int!) { deviceBindings(first: $n) { nodes { id status drm } } }`,
      { n: 100 },
      { token },
    );
    expect(v.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
  });
});
