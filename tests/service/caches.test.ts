/**
 * The in-process caches of bindings and catalog titles: a settled lookup costs no store read, a PENDING one no store
 * read but still its record retrieval, every change in this process reaches them at once, the entry's lifetime bounds
 * anything they missed, and the acts that matter (purchase, licenseToken) never trust them. Across replicas on PostgreSQL: tests/integration/replicas.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServiceHarness, type ServiceHarness } from '../helpers/service-harness.js';

const TTL_MS = 60_000;
const PENDING_TTL = 30;
let h: ServiceHarness;
/** The one title these tests buy. */
const FILM = {
  id: 'film',
  title: 'Film',
  keyId: 'a1'.repeat(16),
  contentKey: 'c3'.repeat(16),
  iv: 'e5'.repeat(16),
  rental: { periodSeconds: 3600, playSeconds: 1800 },
};

beforeAll(async () => {
  // A PENDING binding's deadline comes before its cache entry's: only the deadline can make its copy a miss.
  h = await createServiceHarness({ CACHE_TTL_MS: String(TTL_MS), BINDING_PENDING_TTL: String(PENDING_TTL) });
  await h.catalog.upsert(h.viewer('admin', true), FILM);
});

afterAll(async () => {
  await h?.close();
});

/** A user with a BOUND Widevine binding: its id. */
async function boundBinding(userId: string): Promise<string> {
  const viewer = h.viewer(userId);
  const { binding } = await (await h.context(userId)).bindings.bind(viewer, { drm: 'wv' });
  h.expressplay.play(binding.cookie, '9'.repeat(32), { drm: 'wv' });
  expect((await (await h.context(userId)).bindings.get(viewer, binding.id)).status).toBe('BOUND');
  return binding.id;
}

/** deviceBinding's read, in a fresh request. */
async function lookup(userId: string, id: string) {
  return (await h.context(userId)).bindings.get(h.viewer(userId), id, { lookup: true });
}

describe('BOUND bindings in process', () => {
  it('a settled lookup reads the store once, then no more until the binding changes in this process', async () => {
    const id = await boundBinding('settled');
    const reads = vi.spyOn(h.store, 'getBinding');
    try {
      for (let i = 0; i < 5; i++) expect((await lookup('settled', id)).status).toBe('BOUND');
      // The refresh that bound it announced the change, which emptied the cache: the first lookup reads the store.
      expect(reads).toHaveBeenCalledTimes(1);
      // Another user still gets NOT_FOUND from a cached binding.
      await expect(lookup('intruder', id)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });

      await (await h.context('settled')).bindings.unbind(h.viewer('settled'), id);
      expect((await lookup('settled', id)).status).toBe('REVOKED');
      expect(reads).toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
  });

  it('a rename reaches the next lookup at once', async () => {
    const id = await boundBinding('renamer');
    await lookup('renamer', id);
    await (await h.context('renamer')).bindings.rename(h.viewer('renamer'), id, 'kitchen tablet');
    expect((await lookup('renamer', id)).name).toBe('kitchen tablet');
  });

  it('purchase and licenseToken read the binding as stored, not the cached BOUND copy', async () => {
    const id = await boundBinding('stale');
    expect((await lookup('stale', id)).status).toBe('BOUND');
    // Revoked behind the process's back: nothing tells the cache (as for a replica that missed a notification).
    await h.sql(`update bindings set status = 'REVOKED', revoked_at = now() where id = $1`, [id]);
    expect((await lookup('stale', id)).status).toBe('BOUND');

    const viewer = h.viewer('stale');
    const input = { contentId: 'film', bindingId: id, idempotencyKey: 'stale-buy-0001' };
    await expect((await h.context('stale')).entitlements.purchase(viewer, input)).rejects.toMatchObject({
      extensions: { code: 'DEVICE_NOT_BOUND' },
    });
    await expect(
      (await h.context('stale')).entitlements.licenseToken(viewer, { contentId: 'film', bindingId: id }),
    ).rejects.toMatchObject({ extensions: { code: 'DEVICE_NOT_BOUND' } });
    // The entry's lifetime bounds what the cache can miss.
    h.advance(TTL_MS / 1000);
    expect((await lookup('stale', id)).status).toBe('REVOKED');
  });
});

describe('PENDING bindings in process', () => {
  /** A user's PENDING Widevine binding, and its row (read from the store) cached by a first lookup. */
  async function pendingBinding(userId: string) {
    const { binding } = await (await h.context(userId)).bindings.bind(h.viewer(userId), { drm: 'wv' });
    expect((await lookup(userId, binding.id)).status).toBe('PENDING');
    return binding;
  }

  /** What `run` costs: store reads of a binding and ExpressPlay record retrievals. */
  async function cost(run: () => Promise<void>): Promise<{ reads: number; getrecords: number }> {
    const reads = vi.spyOn(h.store, 'getBinding');
    const before = h.expressplay.recordRequests.length;
    try {
      await run();
      return { reads: reads.mock.calls.length, getrecords: h.expressplay.recordRequests.length - before };
    } finally {
      reads.mockRestore();
    }
  }

  it('repeated lookups read the row once; each request still asks ExpressPlay once, however many aliases', async () => {
    const {
      binding: { id },
    } = await (await h.context('waiting')).bindings.bind(h.viewer('waiting'), { drm: 'wv' });
    expect(
      await cost(async () => {
        for (let i = 0; i < 5; i++) expect((await lookup('waiting', id)).status).toBe('PENDING');
      }),
    ).toEqual({ reads: 1, getrecords: 5 });
    // 50 aliases of one request: one record retrieval, no store read.
    expect(
      await cost(async () => {
        const bindings = (await h.context('waiting')).bindings;
        const all = await Promise.all(
          Array.from({ length: 50 }, () => bindings.get(h.viewer('waiting'), id, { lookup: true })),
        );
        expect(new Set(all.map((b) => b.status))).toEqual(new Set(['PENDING']));
      }),
    ).toEqual({ reads: 0, getrecords: 1 });
    // Another user still gets NOT_FOUND from the cached row.
    await expect(lookup('intruder', id)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });

  it('once the device played, the next lookup is BOUND and later ones ask neither ExpressPlay nor the store', async () => {
    const binding = await pendingBinding('player');
    h.expressplay.play(binding.cookie, '8'.repeat(32), { drm: 'wv' });
    expect(await cost(async () => expect((await lookup('player', binding.id)).status).toBe('BOUND'))).toEqual({
      reads: 0,
      getrecords: 1,
    });
    // The PENDING copy is gone with the change: the BOUND row is read once, then served from the process.
    expect(
      await cost(async () => {
        for (let i = 0; i < 3; i++) expect((await lookup('player', binding.id)).deviceId).toBe('8'.repeat(32));
      }),
    ).toEqual({ reads: 1, getrecords: 0 });
  });

  it('a revoked PENDING binding: the next lookup is REVOKED, with no record retrieval', async () => {
    const binding = await pendingBinding('quitter');
    await (await h.context('quitter')).bindings.unbind(h.viewer('quitter'), binding.id);
    expect(await cost(async () => expect((await lookup('quitter', binding.id)).status).toBe('REVOKED'))).toEqual({
      reads: 1,
      getrecords: 0,
    });
  });

  it('a copy past its deadline is not served: the store says EXPIRED, with no record retrieval', async () => {
    const binding = await pendingBinding('sleeper');
    // Expired behind the process's back (as by another replica), then the deadline passes.
    await h.sql(`update bindings set status = 'EXPIRED' where id = $1`, [binding.id]);
    h.advance((binding.pendingExpiresAt.getTime() - h.now().getTime()) / 1000);
    expect(await cost(async () => expect((await lookup('sleeper', binding.id)).status).toBe('EXPIRED'))).toEqual({
      reads: 1,
      getrecords: 0,
    });
  });

  it('a stale copy gives no wrong answer: revoked unheard of, then played, it reads REVOKED and buys nothing', async () => {
    const binding = await pendingBinding('ghost');
    // Revoked behind the process's back: nothing tells the cache (as for a replica that missed a notification).
    await h.sql(`update bindings set status = 'REVOKED', revoked_at = now() where id = $1`, [binding.id]);
    h.expressplay.play(binding.cookie, '7'.repeat(32), { drm: 'wv' });
    // The copy still says PENDING, so the lookup asks ExpressPlay, and markBound binds only what the store holds
    // PENDING: it answers the stored row.
    expect((await lookup('ghost', binding.id)).status).toBe('REVOKED');
    const input = { contentId: 'film', bindingId: binding.id, idempotencyKey: 'ghost-buy-0001' };
    await expect((await h.context('ghost')).entitlements.purchase(h.viewer('ghost'), input)).rejects.toMatchObject({
      extensions: { code: 'DEVICE_NOT_BOUND' },
    });
  });
});

describe('catalog titles in process', () => {
  it('a purchase reads its title from the store once, and an upsert reaches the next one at once', async () => {
    const id = await boundBinding('shopper');
    const viewer = h.viewer('shopper');
    const reads = vi.spyOn(h.store, 'getContent');
    try {
      const buy = async (key: string, offline = false) =>
        (await h.context('shopper')).entitlements.purchase(viewer, {
          contentId: 'film',
          bindingId: id,
          idempotencyKey: key,
          offline,
        });
      await buy('shopper-0001');
      await buy('shopper-0002');
      expect(reads.mock.calls.length).toBeLessThanOrEqual(1);
      await expect(buy('shopper-0003', true)).rejects.toMatchObject({ extensions: { code: 'OFFLINE_NOT_ALLOWED' } });

      await h.catalog.upsert(h.viewer('admin', true), { ...FILM, offlineAllowed: true });
      expect((await buy('shopper-0004', true)).entitlement.contentId).toBe('film');
    } finally {
      reads.mockRestore();
    }
  });
});

describe("a purchase's database work", () => {
  it('one transaction for the binding check and the record, no separate binding read, the title from the process', async () => {
    const id = await boundBinding('frugal');
    const viewer = h.viewer('frugal');
    const buy = async (key: string) =>
      (await h.context('frugal')).entitlements.purchase(viewer, {
        contentId: 'film',
        bindingId: id,
        idempotencyKey: key,
      });
    await buy('frugal-0001');
    const spies = {
      getBinding: vi.spyOn(h.store, 'getBinding'),
      getContent: vi.spyOn(h.store, 'getContent'),
      createEntitlement: vi.spyOn(h.store, 'createEntitlement'),
      createEntitlementOnBinding: vi.spyOn(h.store, 'createEntitlementOnBinding'),
    };
    try {
      await buy('frugal-0002');
      expect(spies.createEntitlementOnBinding).toHaveBeenCalledTimes(1);
      expect(spies.createEntitlement).not.toHaveBeenCalled();
      expect(spies.getBinding).not.toHaveBeenCalled();
      expect(spies.getContent).not.toHaveBeenCalled();
    } finally {
      for (const spy of Object.values(spies)) spy.mockRestore();
    }
  });
});
