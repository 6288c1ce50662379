/**
 * What every Store must do, written once and run against each backend (store-pglite.test.ts always,
 * store-postgres.test.ts when TEST_DATABASE_URL is set). Each group shares one database; tests stay apart by using
 * fresh ids, and the few that look at whole tables open their own.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ContentKeyDecryptionError } from '../../../src/store/content-key-cipher.js';
import { EncryptionKeyMismatchError } from '../../../src/store/startup-errors.js';
import { EVENT_TYPES } from '../../../src/domain/enums.js';
import type {
  ClaimedWebhookDelivery,
  ContentInput,
  EntitlementRecord,
  EventType,
  NewBinding,
  NewEntitlement,
  NewWebhookEndpoint,
  Store,
} from '../../../src/store/types.js';
import type { TestDatabase } from '../../helpers/test-store.js';

const T0 = new Date('2030-01-01T00:00:00.123Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const id = (prefix: string): string => `${prefix}-${randomUUID()}`;

function content(overrides: Partial<ContentInput> = {}): ContentInput {
  return {
    id: id('content'),
    title: 'Big Buck Bunny',
    keyId: randomBytes(16).toString('hex'),
    contentKey: randomBytes(16).toString('hex'),
    iv: randomBytes(16).toString('hex'),
    rentalPeriodSeconds: 172_800,
    rentalPlaySeconds: 14_400,
    offlineAllowed: false,
    ...overrides,
  };
}

function binding(overrides: Partial<NewBinding> = {}): NewBinding {
  return {
    id: randomUUID(),
    userId: id('user'),
    name: 'Living-room TV',
    cookie: randomBytes(16).toString('hex'),
    drm: 'wv',
    createdAt: T0,
    pendingExpiresAt: at(3600),
    ...overrides,
  };
}

/** A user with one content and one binding, which entitlements need (foreign keys). */
async function seed(store: Store): Promise<{ userId: string; contentId: string; bindingId: string }> {
  const c = await store.upsertContent(content(), T0);
  const b = await store.createBinding(binding());
  return { userId: b.userId, contentId: c.id, bindingId: b.id };
}

/** A new entitlement, as the store returns it once created (not revoked). */
function entitlement(
  base: { userId: string; contentId: string; bindingId: string },
  overrides: Partial<NewEntitlement> = {},
): EntitlementRecord {
  return {
    id: randomUUID(),
    ...base,
    kind: 'PURCHASE',
    idempotencyKey: id('idem'),
    createdAt: T0,
    expiresAt: null,
    playSeconds: null,
    revokedAt: null,
    revokedBy: null,
    revokeReason: null,
    ...overrides,
  };
}

/** Every migration, in the order a new database runs them: what each store test expects to find applied. */
export const MIGRATION_NAMES = [
  '0001-initial',
  '0002-rate-limit-sweep',
  '0003-rental-play-seconds',
  '0004-one-purchase-per-title',
  '0005-offline-and-revocation',
  '0006-page-indexes',
  '0007-events',
  '0008-webhooks',
  '0009-device-slot-indexes',
] as const;

/** Forgets `first` and every later migration, so that the next open runs them again. */
export const forgetMigrationsFrom = (first: (typeof MIGRATION_NAMES)[number]): string =>
  `delete from kysely_migration where name in (${MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf(first))
    .map((name) => `'${name}'`)
    .join(', ')})`;

/** The tables a migrated schema holds, by name. */
export const STORE_TABLES = [
  'bindings',
  'contents',
  'entitlements',
  'events',
  'kysely_migration',
  'kysely_migration_lock',
  'rate_limits',
  'webhook_attempts',
  'webhook_deliveries',
  'webhook_endpoints',
] as const;

/**
 * Back to the schema as it was before migration 0006 (without 0009's indexes, 0008's webhook tables, 0007's events and
 * binding columns, and with the indexes as they were), for tests that rerun an earlier migration.
 */
export const UNDO_PAGE_INDEXES = [
  'drop index bindings_user_id_active',
  'drop index bindings_user_id_revoked_at_cooling',
  'drop table webhook_attempts',
  'drop table webhook_deliveries',
  'drop table webhook_endpoints',
  'drop table events',
  'alter table bindings drop column last_used_at, drop column cooldown_waived',
  'drop index bindings_user_id_created_at_id',
  'create index bindings_user_id_created_at on bindings (user_id, created_at)',
  'drop index entitlements_user_id_created_at_id',
  'create index entitlements_user_id_created_at on entitlements (user_id, created_at)',
];

/** The SQL of every statement `run` sends: both backends' go through a pg client (PGlite's via its socket adapter). */
async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
  const statements: string[] = [];
  const original = Reflect.get(pg.Client.prototype, 'query') as (...a: unknown[]) => unknown;
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args) {
    const [first] = args as unknown[];
    statements.push(typeof first === 'string' ? first : String((first as { text?: string }).text));
    return original.apply(this, args) as never;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return statements;
}

export function defineStoreContract(createDatabase: () => Promise<TestDatabase>): void {
  /** One database and an open store for a describe block. */
  function useStore(): { readonly db: TestDatabase; readonly store: Store } {
    const ctx = {} as { db: TestDatabase; store: Store };
    beforeAll(async () => {
      ctx.db = await createDatabase();
      ctx.store = await ctx.db.openStore();
    });
    afterAll(async () => {
      await ctx.store?.close();
      await ctx.db?.dispose();
    });
    return ctx;
  }

  describe('contents', () => {
    const ctx = useStore();

    it('stores a content and reads it back with the content key in clear', async () => {
      const input = content();
      const saved = await ctx.store.upsertContent(input, T0);
      expect(saved).toEqual({ ...input, createdAt: T0, updatedAt: T0 });
      expect(await ctx.store.getContent(input.id)).toEqual(saved);
      expect(saved.createdAt).toBeInstanceOf(Date);
      expect(typeof saved.rentalPeriodSeconds).toBe('number');
    });

    it('returns null for an unknown content', async () => {
      expect(await ctx.store.getContent(id('missing'))).toBeNull();
    });

    it('updates every field on upsert but keeps created_at', async () => {
      const first = content({ iv: null });
      await ctx.store.upsertContent(first, T0);
      const second = { ...content({ id: first.id, offlineAllowed: true }), title: 'Sintel' };
      const updated = await ctx.store.upsertContent(second, at(60));
      expect(updated).toEqual({ ...second, createdAt: T0, updatedAt: at(60) });
      expect(await ctx.store.getContent(first.id)).toEqual(updated);
    });

    it('does not store the content key in clear, and encrypts it afresh on each write', async () => {
      const input = content();
      await ctx.store.upsertContent(input, T0);
      const read = async () =>
        (
          await ctx.db.query<{ content_key_ciphertext: string }>(
            'select content_key_ciphertext from contents where id = $1',
            [input.id],
          )
        )[0].content_key_ciphertext;
      const stored = await read();
      expect(stored).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
      const cek = Buffer.from(input.contentKey, 'hex');
      for (const form of [input.contentKey, input.contentKey.toUpperCase(), cek.toString('base64')]) {
        expect(stored).not.toContain(form);
      }
      // No column of the row holds it either.
      const [row] = await ctx.db.query('select * from contents where id = $1', [input.id]);
      expect(JSON.stringify(row)).not.toContain(input.contentKey);

      await ctx.store.upsertContent(input, at(1));
      expect(await read()).not.toBe(stored);
      expect((await ctx.store.getContent(input.id))?.contentKey).toBe(input.contentKey);
    });

    it('refuses a stored key moved onto another content (the content id is authenticated)', async () => {
      const a = await ctx.store.upsertContent(content(), T0);
      const b = await ctx.store.upsertContent(content(), T0);
      await ctx.db.query(
        'update contents set content_key_ciphertext = (select content_key_ciphertext from contents where id = $1) where id = $2',
        [a.id, b.id],
      );
      await expect(ctx.store.getContent(b.id)).rejects.toThrow(ContentKeyDecryptionError);
      await ctx.db.query('delete from contents where id = $1', [b.id]);
    });

    it('pages the catalog by id without its keys, and looks entries up by id', async () => {
      const db = await createDatabase();
      const store = await db.openStore();
      try {
        expect(await store.listContentsPage(10, null)).toEqual([]);
        for (const cid of ['c-4', 'c-2', 'c-5', 'c-1', 'c-3']) await store.upsertContent(content({ id: cid }), T0);
        const first = await store.listContentsPage(2, null);
        expect(first.map((c) => c.id)).toEqual(['c-1', 'c-2']);
        expect(first[0]).not.toHaveProperty('contentKey');
        expect(first[0]).toMatchObject({ title: 'Big Buck Bunny', rentalPeriodSeconds: 172_800, createdAt: T0 });
        expect((await store.listContentsPage(2, 'c-2')).map((c) => c.id)).toEqual(['c-3', 'c-4']);
        expect((await store.listContentsPage(2, 'c-4')).map((c) => c.id)).toEqual(['c-5']);
        // A keyset that names no row still starts right after where it would be.
        expect((await store.listContentsPage(10, 'c-25')).map((c) => c.id)).toEqual(['c-3', 'c-4', 'c-5']);

        const found = await store.contentsByIds(['c-3', 'nope', 'c-1', 'c-3']);
        expect(found.map((c) => c.id).sort()).toEqual(['c-1', 'c-3']);
        expect(found[0]).not.toHaveProperty('contentKey');
        expect(await store.contentsByIds([])).toEqual([]);

        // Neither decrypts a key: with one key damaged, only the read that returns the key fails.
        await db.query(`update contents set content_key_ciphertext = 'v1:AAAA:AAAA:AAAA' where id = 'c-2'`);
        await expect(store.getContent('c-2')).rejects.toBeInstanceOf(ContentKeyDecryptionError);
        expect((await store.listContentsPage(10, null)).map((c) => c.id)).toEqual(['c-1', 'c-2', 'c-3', 'c-4', 'c-5']);
        expect((await store.contentsByIds(['c-2'])).map((c) => c.id)).toEqual(['c-2']);
      } finally {
        await store.close();
        await db.dispose();
      }
    });
  });

  describe('content key encryption key', () => {
    it('a store opened with the wrong key fails too when only webhook secrets are stored', async () => {
      const db = await createDatabase();
      try {
        const store = await db.openStore();
        const secret = `whsec_${randomBytes(32).toString('base64')}`;
        await store.createWebhookEndpoint({
          id: 'ep_1',
          url: 'https://receiver.example/hooks',
          eventTypes: ['PURCHASED'],
          secret,
          createdBy: 'admin-1',
          createdAt: T0,
        });
        await store.close();
        const error: unknown = await db.openStore({ key: randomBytes(32) }).then(
          async (s) => {
            await s.close();
            return undefined;
          },
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(EncryptionKeyMismatchError);
        expect((error as Error).message).toContain('the secret of webhook endpoint "ep_1" does not decrypt');
        expect((error as Error).message).not.toContain(secret.slice(6));
      } finally {
        await db.dispose();
      }
    });

    it('a store opened with the wrong key fails loudly, without key material in the error', async () => {
      const db = await createDatabase();
      try {
        const store = await db.openStore();
        const input = content();
        await store.upsertContent(input, T0);
        await store.close();

        const wrongKey = randomBytes(32);
        const error: unknown = await db.openStore({ key: wrongKey }).then(
          async (s) => {
            await s.close();
            return undefined;
          },
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(EncryptionKeyMismatchError);
        const e = error as Error;
        expect(e.message).toMatch(
          /^CONTENT_KEY_ENCRYPTION_KEY does not match the key the stored content keys were written with/,
        );
        const everything = [e.message, e.stack ?? '', JSON.stringify(e), inspect(e.cause)].join('\n');
        for (const secret of [db.key, wrongKey, Buffer.from(input.contentKey, 'hex')]) {
          expect(everything).not.toContain(secret.toString('hex'));
          expect(everything).not.toContain(secret.toString('base64'));
        }
        const [stored] = await db.query<{ content_key_ciphertext: string }>(
          'select content_key_ciphertext from contents',
        );
        expect(everything).not.toContain(stored.content_key_ciphertext.split(':')[3]);

        // The right key still works: nothing was changed by the failed open.
        const again = await db.openStore();
        expect((await again.getContent(input.id))?.contentKey).toBe(input.contentKey);
        await again.close();
      } finally {
        await db.dispose();
      }
    });
  });

  describe('bindings', () => {
    const ctx = useStore();

    it('creates a PENDING binding and reads it back', async () => {
      const input = binding();
      const created = await ctx.store.createBinding(input);
      expect(created).toEqual({
        ...input,
        status: 'PENDING',
        deviceId: null,
        boundAt: null,
        revokedAt: null,
        lastUsedAt: null,
        cooldownWaived: false,
      });
      expect(await ctx.store.getBinding(input.id)).toEqual(created);
      expect(await ctx.store.getBinding(randomUUID())).toBeNull();
    });

    it('keeps a null name', async () => {
      const created = await ctx.store.createBinding(binding({ name: null, drm: 'fp' }));
      expect(created.name).toBeNull();
      expect(created.drm).toBe('fp');
    });

    it('refuses a second binding with the same cookie', async () => {
      const first = await ctx.store.createBinding(binding());
      await expect(ctx.store.createBinding(binding({ cookie: first.cookie }))).rejects.toThrow();
    });

    it('pages the bindings of one user newest first, ties broken by id, from a keyset', async () => {
      const userId = id('user');
      const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
      const made = [
        await ctx.store.createBinding(binding({ userId, createdAt: at(1) })),
        await ctx.store.createBinding(binding({ userId, id: ids[0], createdAt: at(2) })),
        await ctx.store.createBinding(binding({ userId, id: ids[1], createdAt: at(2) })),
        await ctx.store.createBinding(binding({ userId, createdAt: at(3) })),
      ];
      await ctx.store.createBinding(binding({ createdAt: at(2) }));
      const newestFirst = [made[3], made[2], made[1], made[0]];
      const page1 = await ctx.store.listBindingsPage(userId, 2, null);
      expect(page1).toEqual(newestFirst.slice(0, 2));
      const page2 = await ctx.store.listBindingsPage(userId, 2, page1[1]);
      expect(page2).toEqual(newestFirst.slice(2, 4));
      expect(await ctx.store.listBindingsPage(userId, 2, page2[1])).toEqual([]);
      expect(await ctx.store.listBindingsPage(id('nobody'), 2, null)).toEqual([]);
    });

    it('markBound moves PENDING to BOUND, once', async () => {
      const b = await ctx.store.createBinding(binding());
      const bound = await ctx.store.markBound(b.id, 'a'.repeat(32), at(10));
      expect(bound).toEqual({ ...b, status: 'BOUND', deviceId: 'a'.repeat(32), boundAt: at(10) });
      // A second call changes nothing: the first device stays.
      expect(await ctx.store.markBound(b.id, 'b'.repeat(32), at(20))).toEqual(bound);
      expect(await ctx.store.getBinding(b.id)).toEqual(bound);
    });

    it('markBound leaves REVOKED and EXPIRED bindings alone and returns null for an unknown id', async () => {
      const revoked = await ctx.store.revokeBinding((await ctx.store.createBinding(binding())).id, at(5));
      expect(await ctx.store.markBound(revoked!.id, 'a'.repeat(32), at(10))).toEqual(revoked);

      const pending = await ctx.store.createBinding(binding({ pendingExpiresAt: at(1) }));
      await ctx.store.expirePendingBindings(pending.userId, at(2));
      const after = await ctx.store.markBound(pending.id, 'a'.repeat(32), at(10));
      expect(after).toMatchObject({ status: 'EXPIRED', deviceId: null, boundAt: null });

      expect(await ctx.store.markBound(randomUUID(), 'a'.repeat(32), at(10))).toBeNull();
    });

    it('markBound racing with itself binds exactly one device', async () => {
      const b = await ctx.store.createBinding(binding());
      const devices = Array.from({ length: 10 }, (_, i) => i.toString(16).repeat(32));
      const results = await Promise.all(devices.map((d) => ctx.store.markBound(b.id, d, at(10))));
      const winner = results[0]!.deviceId;
      expect(devices).toContain(winner);
      for (const r of results) expect(r).toEqual({ ...b, status: 'BOUND', deviceId: winner, boundAt: at(10) });
    });

    it('revokeBinding moves PENDING or BOUND to REVOKED, and keeps the first revocation time', async () => {
      const pending = await ctx.store.createBinding(binding());
      expect(await ctx.store.revokeBinding(pending.id, at(5))).toEqual({
        ...pending,
        status: 'REVOKED',
        revokedAt: at(5),
      });

      const bound = await ctx.store.markBound((await ctx.store.createBinding(binding())).id, 'c'.repeat(32), at(1));
      const revoked = await ctx.store.revokeBinding(bound!.id, at(7));
      expect(revoked).toEqual({ ...bound, status: 'REVOKED', revokedAt: at(7) });
      expect(await ctx.store.revokeBinding(bound!.id, at(9))).toEqual(revoked);
      expect(await ctx.store.getBinding(bound!.id)).toEqual(revoked);
    });

    it('revokeBinding leaves EXPIRED bindings alone and returns null for an unknown id', async () => {
      const b = await ctx.store.createBinding(binding({ pendingExpiresAt: at(1) }));
      await ctx.store.expirePendingBindings(b.userId, at(1));
      expect(await ctx.store.revokeBinding(b.id, at(5))).toMatchObject({ status: 'EXPIRED', revokedAt: null });
      expect(await ctx.store.revokeBinding(randomUUID(), at(5))).toBeNull();
    });

    it("expirePendingBindings expires only that user's PENDING bindings that are due", async () => {
      const userId = id('user');
      const due = await ctx.store.createBinding(binding({ userId, pendingExpiresAt: at(100) }));
      const pastDue = await ctx.store.createBinding(binding({ userId, pendingExpiresAt: at(50) }));
      const notYet = await ctx.store.createBinding(binding({ userId, pendingExpiresAt: at(101) }));
      const bound = await ctx.store.createBinding(binding({ userId, pendingExpiresAt: at(10) }));
      await ctx.store.markBound(bound.id, 'd'.repeat(32), at(5));
      const revoked = await ctx.store.createBinding(binding({ userId, pendingExpiresAt: at(10) }));
      await ctx.store.revokeBinding(revoked.id, at(5));
      const otherUser = await ctx.store.createBinding(binding({ pendingExpiresAt: at(10) }));

      await ctx.store.expirePendingBindings(userId, at(100));

      const status = async (bindingId: string) => (await ctx.store.getBinding(bindingId))?.status;
      expect(await status(due.id)).toBe('EXPIRED');
      expect(await status(pastDue.id)).toBe('EXPIRED');
      expect(await status(notYet.id)).toBe('PENDING');
      expect(await status(bound.id)).toBe('BOUND');
      expect(await status(revoked.id)).toBe('REVOKED');
      expect(await status(otherUser.id)).toBe('PENDING');
    });

    it("binding and expiring tell the store's listeners of each binding they changed, and only then", async () => {
      const userId = id('user');
      const gone = await ctx.store.createBinding(binding({ userId }));
      await ctx.store.revokeBinding(gone.id, at(1));
      const heard: string[] = [];
      const stopListening = ctx.store.onChange((change) => {
        if (change.kind === 'binding') heard.push(change.id);
      });
      try {
        const bound = await ctx.store.createBinding(binding({ userId }));
        const due = await ctx.store.createBinding(binding({ userId, pendingExpiresAt: at(10) }));
        await ctx.store.markBound(bound.id, 'd'.repeat(32), at(5));
        // Heard once the change committed, before markBound returns: a PENDING copy held in process goes at once.
        expect(heard).toContain(bound.id);
        await ctx.store.markBound(gone.id, 'e'.repeat(32), at(6));
        await ctx.store.expirePendingBindings(userId, at(20));
        expect(heard).toContain(due.id);
        // On a server, a store also hears its own changes' notifications: each id may come twice.
        expect(new Set(heard)).toEqual(new Set([bound.id, due.id]));
      } finally {
        stopListening();
      }
    });
  });

  describe('entitlements', () => {
    const ctx = useStore();

    it('creates a purchase and a rental and reads them back', async () => {
      const base = await seed(ctx.store);
      const purchase = entitlement(base);
      expect(await ctx.store.createEntitlement(purchase)).toEqual({ entitlement: purchase, outcome: 'created' });
      const rental = entitlement(base, { kind: 'RENTAL', createdAt: at(1), expiresAt: at(172_801), playSeconds: 7200 });
      expect(await ctx.store.createEntitlement(rental)).toEqual({ entitlement: rental, outcome: 'created' });
      expect(await ctx.store.getEntitlement(purchase.id)).toEqual(purchase);
      expect(await ctx.store.getEntitlement(rental.id)).toEqual(rental);
      expect(await ctx.store.getEntitlement(randomUUID())).toBeNull();
    });

    it("createEntitlementOnBinding records only on the user's BOUND binding as stored, in the same transaction", async () => {
      const base = await seed(ctx.store);
      // seed's binding is PENDING: nothing is written.
      const pending = await ctx.store.createEntitlementOnBinding(entitlement(base));
      expect(pending).toMatchObject({ outcome: 'unbound', binding: { id: base.bindingId, status: 'PENDING' } });
      await ctx.store.markBound(base.bindingId, 'd'.repeat(32), at(1));
      const purchase = entitlement(base);
      const created = await ctx.store.createEntitlementOnBinding(purchase);
      expect(created).toMatchObject({ outcome: 'created', entitlement: purchase, binding: { status: 'BOUND' } });
      // Another user's binding, an unknown one and a revoked one: unbound, nothing written.
      const stranger = await ctx.store.createEntitlementOnBinding(entitlement({ ...base, userId: id('user') }));
      expect(stranger).toMatchObject({ outcome: 'unbound', binding: { id: base.bindingId } });
      expect(await ctx.store.createEntitlementOnBinding(entitlement({ ...base, bindingId: randomUUID() }))).toEqual({
        outcome: 'unbound',
        binding: null,
      });
      await ctx.store.revokeBinding(base.bindingId, at(2));
      const rental = entitlement(base, { kind: 'RENTAL', expiresAt: at(3600), playSeconds: 60 });
      expect(await ctx.store.createEntitlementOnBinding(rental)).toMatchObject({
        outcome: 'unbound',
        binding: { status: 'REVOKED' },
      });
      expect((await ctx.store.listEntitlementsPage(base.userId, 100, null)).map((e) => e.id)).toEqual([purchase.id]);
    });

    it('a new purchase on a binding is one statement (no BEGIN, COMMIT or lock); a rental four', async () => {
      const base = await seed(ctx.store);
      await ctx.store.markBound(base.bindingId, 'd'.repeat(32), at(1));
      const purchase = entitlement(base);
      const bought = await statementsOf(async () =>
        expect(await ctx.store.createEntitlementOnBinding(purchase)).toMatchObject({ outcome: 'created' }),
      );
      expect(bought, bought.join('\n')).toHaveLength(1);
      expect(bought[0]).not.toMatch(/advisory/);
      // The one statement wrote the row and its event.
      const [event] = await ctx.store.listEventsPage({ entitlementId: purchase.id }, 10, null);
      expect(event).toMatchObject({ type: 'PURCHASED', userId: base.userId, bindingId: base.bindingId });
      // Held, a reused key and an unbound binding are answered by the same statement.
      for (const again of [
        entitlement(base),
        entitlement(base, { idempotencyKey: purchase.idempotencyKey }),
        entitlement({ ...base, userId: id('user') }),
      ]) {
        expect(await statementsOf(() => ctx.store.createEntitlementOnBinding(again))).toHaveLength(1);
      }
      // BEGIN, the binding under the per-user lock, the rest, COMMIT.
      const rental = entitlement(base, { kind: 'RENTAL', expiresAt: at(3600), playSeconds: 60 });
      const rented = await statementsOf(async () =>
        expect(await ctx.store.createEntitlementOnBinding(rental)).toMatchObject({ outcome: 'created' }),
      );
      expect(rented, rented.join('\n')).toHaveLength(4);
    });

    it('a purchase on a binding answers held, existing (its key, even for another title) or created', async () => {
      const base = await seed(ctx.store);
      await ctx.store.markBound(base.bindingId, 'd'.repeat(32), at(1));
      const other = await ctx.store.upsertContent(content(), T0);
      const bought = entitlement(base, { createdAt: at(2) });
      expect(await ctx.store.createEntitlementOnBinding(bought)).toMatchObject({
        entitlement: bought,
        outcome: 'created',
        binding: { id: base.bindingId, status: 'BOUND' },
      });
      expect(await ctx.store.createEntitlementOnBinding(entitlement(base, { createdAt: at(3) }))).toMatchObject({
        entitlement: bought,
        outcome: 'held',
      });
      const sameKey = { idempotencyKey: bought.idempotencyKey, createdAt: at(4) };
      expect(await ctx.store.createEntitlementOnBinding(entitlement(base, sameKey))).toMatchObject({
        entitlement: bought,
        outcome: 'existing',
      });
      // The key of a purchase of another title: that purchase, and nothing is sold.
      const elsewhere = entitlement({ ...base, contentId: other.id }, sameKey);
      expect(await ctx.store.createEntitlementOnBinding(elsewhere)).toMatchObject({
        entitlement: bought,
        outcome: 'existing',
      });
      // The key of a rental: that rental; a purchase is not held by a rental.
      const rented = entitlement(
        { ...base, contentId: other.id },
        { kind: 'RENTAL', createdAt: at(5), expiresAt: at(3600), playSeconds: 60 },
      );
      expect((await ctx.store.createEntitlementOnBinding(rented)).outcome).toBe('created');
      const rentalKey = entitlement({ ...base, contentId: other.id }, { idempotencyKey: rented.idempotencyKey });
      expect(await ctx.store.createEntitlementOnBinding(rentalKey)).toMatchObject({
        entitlement: rented,
        outcome: 'existing',
      });
      const otherTitle = entitlement({ ...base, contentId: other.id }, { createdAt: at(6) });
      expect(await ctx.store.createEntitlementOnBinding(otherTitle)).toMatchObject({
        entitlement: otherTitle,
        outcome: 'created',
      });
      // A revoked purchase is held no more: a new key buys the title again.
      await ctx.store.revokeEntitlement(bought.id, { revokedAt: at(7), revokedBy: 'admin-1', reason: 'refunded' });
      const rebought = entitlement(base, { createdAt: at(8) });
      expect(await ctx.store.createEntitlementOnBinding(rebought)).toMatchObject({
        entitlement: rebought,
        outcome: 'created',
      });
      const events = await ctx.store.listEventsPage({ userId: base.userId }, 100, null);
      expect(events.filter((e) => e.type === 'PURCHASED').map((e) => e.entitlementId)).toEqual([
        rebought.id,
        otherTitle.id,
        bought.id,
      ]);
    });

    it('concurrent purchases on a binding, with fresh keys or one key, and beside createEntitlement, sell one', async () => {
      const base = await seed(ctx.store);
      await ctx.store.markBound(base.bindingId, 'd'.repeat(32), at(1));
      const fresh = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 4 === 3
            ? ctx.store.createEntitlement(entitlement(base, { createdAt: at(i) }))
            : ctx.store.createEntitlementOnBinding(entitlement(base, { createdAt: at(i) })),
        ),
      );
      const rows = await ctx.db.query<{ id: string }>(`select id from entitlements where user_id = $1`, [base.userId]);
      expect(rows).toHaveLength(1);
      expect(fresh.map((r) => r.outcome).sort()).toEqual(['created', ...Array<string>(19).fill('held')]);
      for (const r of fresh) expect(r.outcome !== 'unbound' && r.entitlement.id).toBe(rows[0].id);

      const other = await ctx.store.upsertContent(content(), T0);
      const key = id('idem');
      const oneKey = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          ctx.store.createEntitlementOnBinding(
            entitlement({ ...base, contentId: other.id }, { idempotencyKey: key, createdAt: at(i) }),
          ),
        ),
      );
      expect(oneKey.map((r) => r.outcome).sort()).toEqual(['created', ...Array<string>(19).fill('existing')]);
      const [made] = await ctx.db.query<{ id: string }>(
        `select id from entitlements where user_id = $1 and content_id = $2`,
        [base.userId, other.id],
      );
      for (const r of oneKey) expect(r.outcome !== 'unbound' && r.entitlement.id).toBe(made.id);
    });

    it('returns the stored row, not the new input, when the idempotency key was used', async () => {
      const base = await seed(ctx.store);
      const first = entitlement(base);
      await ctx.store.createEntitlement(first);
      const retry = entitlement(base, {
        idempotencyKey: first.idempotencyKey,
        kind: 'RENTAL',
        createdAt: at(5),
        expiresAt: at(500),
      });
      expect(await ctx.store.createEntitlement(retry)).toEqual({ entitlement: first, outcome: 'existing' });
      expect(await ctx.store.getEntitlement(retry.id)).toBeNull();
    });

    it('scopes idempotency keys per user', async () => {
      const a = await seed(ctx.store);
      const b = await seed(ctx.store);
      const key = id('shared-key');
      expect((await ctx.store.createEntitlement(entitlement(a, { idempotencyKey: key }))).outcome).toBe('created');
      expect((await ctx.store.createEntitlement(entitlement(b, { idempotencyKey: key }))).outcome).toBe('created');
    });

    it('20 concurrent calls with one idempotency key make one row, and exactly one says created', async () => {
      const base = await seed(ctx.store);
      const key = id('idem');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          ctx.store.createEntitlement(entitlement(base, { idempotencyKey: key, createdAt: at(i) })),
        ),
      );
      expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
      const winner = results.find((r) => r.outcome === 'created')!.entitlement;
      for (const r of results) expect(r.entitlement).toEqual(winner);
      const rows = await ctx.db.query('select id from entitlements where user_id = $1', [base.userId]);
      expect(rows).toEqual([{ id: winner.id }]);
    });

    it('sells nothing twice: another key returns the purchase or running rental the user holds', async () => {
      const base = await seed(ctx.store);
      const bought = entitlement(base);
      expect((await ctx.store.createEntitlement(bought)).outcome).toBe('created');
      expect(await ctx.store.createEntitlement(entitlement(base, { createdAt: at(10) }))).toEqual({
        entitlement: bought,
        outcome: 'held',
      });
      // The same key is the same request: its row, whatever else the user holds.
      expect(await ctx.store.createEntitlement(entitlement(base, { idempotencyKey: bought.idempotencyKey }))).toEqual({
        entitlement: bought,
        outcome: 'existing',
      });

      const rental = (window: [number, number]) =>
        entitlement(base, { kind: 'RENTAL', createdAt: at(window[0]), expiresAt: at(window[1]), playSeconds: 60 });
      const rented = rental([0, 100]);
      expect((await ctx.store.createEntitlement(rented)).outcome).toBe('created'); // a rental is not a purchase
      expect(await ctx.store.createEntitlement(rental([99, 199]))).toEqual({ entitlement: rented, outcome: 'held' });
      // Lapsed at its expiry: renting again makes a new one.
      const again = rental([100, 200]);
      expect(await ctx.store.createEntitlement(again)).toEqual({ entitlement: again, outcome: 'created' });
      const kinds = await ctx.db.query<{ kind: string }>(
        'select kind from entitlements where user_id = $1 order by kind',
        [base.userId],
      );
      expect(kinds.map((k) => k.kind)).toEqual(['PURCHASE', 'RENTAL', 'RENTAL']);
    });

    it('50 concurrent purchases of one title with 50 different keys make one purchase', async () => {
      const base = await seed(ctx.store);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => ctx.store.createEntitlement(entitlement(base, { createdAt: at(i % 3) }))),
      );
      const rows = await ctx.db.query<{ id: string }>(
        `select id from entitlements where user_id = $1 and kind = 'PURCHASE'`,
        [base.userId],
      );
      expect(rows).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
      for (const r of results) expect(r.entitlement.id).toBe(rows[0].id);
    });

    it('50 concurrent rentals of one title with 50 different keys make one running rental', async () => {
      const base = await seed(ctx.store);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          ctx.store.createEntitlement(
            entitlement(base, { kind: 'RENTAL', createdAt: at(i % 3), expiresAt: at(3600), playSeconds: 60 }),
          ),
        ),
      );
      const rows = await ctx.db.query<{ id: string }>(
        `select id from entitlements where user_id = $1 and kind = 'RENTAL'`,
        [base.userId],
      );
      expect(rows).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
      for (const r of results) expect(r.entitlement.id).toBe(rows[0].id);
    });

    it('double taps (two requests at once, fresh keys) of 15 users make one purchase and one rental each', async () => {
      const users = await Promise.all(Array.from({ length: 15 }, () => seed(ctx.store)));
      await Promise.all(
        users.flatMap((base) =>
          [0, 1].flatMap(() => [
            ctx.store.createEntitlement(entitlement(base)),
            ctx.store.createEntitlement(entitlement(base, { kind: 'RENTAL', expiresAt: at(3600), playSeconds: 60 })),
          ]),
        ),
      );
      const counts = await ctx.db.query<{ user_id: string; kind: string; n: number }>(
        `select user_id, kind, count(*)::int as n from entitlements where user_id = any($1) group by 1, 2`,
        [users.map((u) => u.userId)],
      );
      expect(counts).toHaveLength(30);
      expect(counts.filter((c) => c.n !== 1)).toEqual([]);
    });

    it('the database itself refuses a second purchase of one title by one user', async () => {
      const base = await seed(ctx.store);
      await ctx.store.createEntitlement(entitlement(base));
      await expect(
        ctx.db.query(
          `insert into entitlements (id, user_id, content_id, kind, binding_id, idempotency_key, created_at)
           values ($1, $2, $3, 'PURCHASE', $4, $5, now())`,
          [randomUUID(), base.userId, base.contentId, base.bindingId, id('idem')],
        ),
      ).rejects.toThrow(/entitlements_one_purchase/);
    });

    it('refuses an entitlement to an unknown content or binding', async () => {
      const base = await seed(ctx.store);
      await expect(ctx.store.createEntitlement(entitlement({ ...base, contentId: id('nope') }))).rejects.toThrow();
      await expect(ctx.store.createEntitlement(entitlement({ ...base, bindingId: randomUUID() }))).rejects.toThrow();
    });

    it("lists a user's entitlements newest first, all or for one content", async () => {
      const base = await seed(ctx.store);
      const other = await ctx.store.upsertContent(content(), T0);
      const e1 = entitlement(base, { createdAt: at(1) });
      const e2 = entitlement({ ...base, contentId: other.id }, { createdAt: at(2) });
      const e3 = entitlement(base, { kind: 'RENTAL', createdAt: at(3), expiresAt: at(100) });
      for (const e of [e1, e3, e2]) await ctx.store.createEntitlement(e);
      await ctx.store.createEntitlement(entitlement(await seed(ctx.store)));

      expect(await ctx.store.listEntitlementsPage(base.userId, 10, null)).toEqual([e3, e2, e1]);
      expect(await ctx.store.entitlementsFor(base.userId, base.contentId)).toEqual([e3, e1]);
      expect(await ctx.store.entitlementsFor(base.userId, other.id)).toEqual([e2]);
      expect(await ctx.store.entitlementsFor(id('nobody'), base.contentId)).toEqual([]);
      expect(await ctx.store.listEntitlementsPage(id('nobody'), 10, null)).toEqual([]);
    });

    it('revokes an entitlement once, keeping the first reason, and a revoked one is held no more', async () => {
      const base = await seed(ctx.store);
      const bought = entitlement(base);
      await ctx.store.createEntitlement(bought);
      const revocation = { revokedAt: at(10), revokedBy: 'admin-1', reason: 'refunded' };
      const revoked = { ...bought, revokedAt: at(10), revokedBy: 'admin-1', revokeReason: 'refunded' };
      expect(await ctx.store.revokeEntitlement(bought.id, revocation)).toEqual(revoked);
      expect(
        await ctx.store.revokeEntitlement(bought.id, { revokedAt: at(20), revokedBy: 'admin-2', reason: 'again' }),
      ).toEqual(revoked);
      expect(await ctx.store.getEntitlement(bought.id)).toEqual(revoked);
      expect(await ctx.store.revokeEntitlement(randomUUID(), revocation)).toBeNull();

      // Its key still names it; a new key buys the title again (the unique index spares revoked purchases).
      expect(await ctx.store.createEntitlement(entitlement(base, { idempotencyKey: bought.idempotencyKey }))).toEqual({
        entitlement: revoked,
        outcome: 'existing',
      });
      const rebought = entitlement(base, { createdAt: at(30) });
      expect(await ctx.store.createEntitlement(rebought)).toEqual({ entitlement: rebought, outcome: 'created' });
      expect(await ctx.store.createEntitlement(entitlement(base, { createdAt: at(40) }))).toEqual({
        entitlement: rebought,
        outcome: 'held',
      });
    });

    it("pages a user's entitlements newest first, ties broken by id, from a keyset", async () => {
      const base = await seed(ctx.store);
      const titles = await Promise.all([1, 2, 3, 4].map(() => ctx.store.upsertContent(content(), T0)));
      const made = [
        entitlement({ ...base, contentId: titles[0].id }, { createdAt: at(1) }),
        entitlement(
          { ...base, contentId: titles[1].id },
          { id: '00000000-0000-4000-8000-000000000001', createdAt: at(2) },
        ),
        entitlement(
          { ...base, contentId: titles[2].id },
          { id: '00000000-0000-4000-8000-000000000002', createdAt: at(2) },
        ),
        entitlement({ ...base, contentId: titles[3].id }, { createdAt: at(3) }),
      ];
      for (const e of made) await ctx.store.createEntitlement(e);
      await ctx.store.createEntitlement(entitlement(await seed(ctx.store), { createdAt: at(2) }));
      const newestFirst = [made[3], made[2], made[1], made[0]];
      const page1 = await ctx.store.listEntitlementsPage(base.userId, 3, null);
      expect(page1).toEqual(newestFirst.slice(0, 3));
      expect(await ctx.store.listEntitlementsPage(base.userId, 3, page1[2])).toEqual(newestFirst.slice(3));
      expect(await ctx.store.listEntitlementsPage(base.userId, 3, { createdAt: at(2), id: made[2].id })).toEqual(
        newestFirst.slice(2),
      );
      expect(await ctx.store.listEntitlementsPage(id('nobody'), 3, null)).toEqual([]);
    });
  });

  describe('events', () => {
    const ctx = useStore();
    /** A user's whole history, newest first. */
    const history = (userId: string) => ctx.store.listEventsPage({ userId }, 100, null);
    const types = async (userId: string) => (await history(userId)).map((e) => e.type);

    it('createBinding writes BINDING_STARTED with the binding; a failed insert writes nothing', async () => {
      const b = await ctx.store.createBinding(binding({ createdAt: at(1) }));
      expect(await history(b.userId)).toEqual([
        {
          id: expect.stringMatching(/^\d+$/),
          userId: b.userId,
          type: 'BINDING_STARTED',
          at: at(1),
          actor: { id: b.userId, admin: false },
          bindingId: b.id,
          entitlementId: null,
          contentId: null,
          data: { drm: 'wv', name: 'Living-room TV' },
        },
      ]);
      // Same cookie: the insert fails and its transaction rolls back, event and all.
      const userId = id('user');
      await expect(ctx.store.createBinding(binding({ userId, cookie: b.cookie }))).rejects.toThrow();
      expect(await history(userId)).toEqual([]);
    });

    it('a refused createBinding inserts no binding but commits one DEVICE_LIMIT_REFUSED event; so does admitBinding', async () => {
      const userId = id('user');
      const refuse = () => {
        throw new Error('You already have 1 active device binding(s).');
      };
      await expect(ctx.store.createBinding(binding({ userId, createdAt: at(2) }), refuse)).rejects.toThrow(
        /already have 1/,
      );
      expect(await ctx.store.listBindingsPage(userId, 10, null)).toEqual([]);
      await expect(ctx.store.admitBinding(userId, 'pr', at(3), refuse)).rejects.toThrow(/already have 1/);
      await ctx.store.admitBinding(userId, 'pr', at(4), () => undefined);
      expect(await history(userId)).toMatchObject([
        {
          type: 'DEVICE_LIMIT_REFUSED',
          at: at(3),
          bindingId: null,
          data: { drm: 'pr', reason: 'You already have 1 active device binding(s).' },
        },
        { type: 'DEVICE_LIMIT_REFUSED', at: at(2), actor: { id: userId, admin: false }, data: { drm: 'wv' } },
      ]);
    });

    it('with coolingSince, a device-slot check reads only the bindings that can hold a slot, not the history', async () => {
      const userId = id('user');
      const make = async (revokedAt: Date | null, options: { bound?: boolean; waive?: boolean } = {}) => {
        const b = await ctx.store.createBinding(binding({ userId }));
        if (options.bound ?? true) await ctx.store.markBound(b.id, randomBytes(16).toString('hex'), at(1));
        if (revokedAt !== null) {
          const by = options.waive ? { actor: { id: 'admin', admin: true }, waiveCooldown: true } : undefined;
          await ctx.store.revokeBinding(b.id, revokedAt, by);
        }
        return b.id;
      };
      const active = await make(null);
      const pending = (await ctx.store.createBinding(binding({ userId }))).id;
      const cooling = await make(at(100));
      // History: revoked before the cool-down's start, waived, never bound, expired.
      await make(at(10));
      await make(at(100), { waive: true });
      await make(at(100), { bound: false });
      const expired = await ctx.store.createBinding(binding({ userId, pendingExpiresAt: at(2) }));
      await ctx.store.expirePendingBindings(userId, at(3));
      expect((await ctx.store.getBinding(expired.id))?.status).toBe('EXPIRED');

      const seen: string[][] = [];
      const look = (current: readonly { id: string }[]) => void seen.push(current.map((b) => b.id).sort());
      await ctx.store.admitBinding(userId, 'wv', at(200), look, at(50));
      await ctx.store.createBinding(binding({ userId, createdAt: at(200) }), look, at(50));
      const expected = [active, pending, cooling].sort();
      expect(seen).toEqual([expected, expected]);
    });

    it('markBound writes BINDING_BOUND with the device and DRM, only when it binds', async () => {
      const b = await ctx.store.createBinding(binding({ drm: 'pr' }));
      await ctx.store.markBound(b.id, 'a'.repeat(32), at(10));
      await ctx.store.markBound(b.id, 'b'.repeat(32), at(20));
      const [bound, ...rest] = await history(b.userId);
      expect(bound).toMatchObject({
        type: 'BINDING_BOUND',
        at: at(10),
        bindingId: b.id,
        data: { deviceId: 'a'.repeat(32), drm: 'pr' },
      });
      expect(rest.map((e) => e.type)).toEqual(['BINDING_STARTED']);
    });

    it('revokeBinding writes who revoked it, once; an admin waiver of a revoked binding is its own event, once', async () => {
      const b = await ctx.store.createBinding(binding());
      await ctx.store.markBound(b.id, 'c'.repeat(32), at(1));
      await ctx.store.revokeBinding(b.id, at(5));
      await ctx.store.revokeBinding(b.id, at(6));
      const admin = { id: 'support-1', admin: true };
      const waived = await ctx.store.revokeBinding(b.id, at(7), {
        actor: admin,
        reason: 'lost phone',
        waiveCooldown: true,
      });
      expect(waived).toMatchObject({ status: 'REVOKED', revokedAt: at(5), cooldownWaived: true });
      await ctx.store.revokeBinding(b.id, at(8), { actor: admin, reason: 'again', waiveCooldown: true });
      expect(await history(b.userId)).toMatchObject([
        { type: 'COOLDOWN_WAIVED', at: at(7), actor: admin, data: { reason: 'lost phone' } },
        { type: 'BINDING_REVOKED', at: at(5), actor: { id: b.userId, admin: false }, data: { cooldownWaived: false } },
        { type: 'BINDING_BOUND' },
        { type: 'BINDING_STARTED' },
      ]);
      const other = await ctx.store.createBinding(binding());
      const removed = await ctx.store.revokeBinding(other.id, at(9), {
        actor: admin,
        reason: 'support',
        waiveCooldown: true,
      });
      expect(removed).toMatchObject({ status: 'REVOKED', cooldownWaived: true });
      expect((await history(other.userId))[0]).toMatchObject({
        type: 'BINDING_REVOKED',
        actor: admin,
        data: { reason: 'support', cooldownWaived: true },
      });
    });

    it('expirePendingBindings writes one event per binding it expires, with no actor', async () => {
      const userId = id('user');
      const due = await ctx.store.createBinding(binding({ userId, pendingExpiresAt: at(10) }));
      const alsoDue = await ctx.store.createBinding(binding({ userId, pendingExpiresAt: at(20) }));
      await ctx.store.createBinding(binding({ userId, pendingExpiresAt: at(100) }));
      await ctx.store.expirePendingBindings(userId, at(50));
      await ctx.store.expirePendingBindings(userId, at(60));
      const expired = (await history(userId)).filter((e) => e.type === 'BINDING_EXPIRED');
      expect(expired.map((e) => e.bindingId).sort()).toEqual([due.id, alsoDue.id].sort());
      expect(expired.every((e) => e.actor === null && e.at.getTime() === at(50).getTime())).toBe(true);
    });

    it('createEntitlement writes PURCHASED or RENTED only when it creates one; a refused insert writes nothing', async () => {
      const base = await seed(ctx.store);
      const purchase = entitlement(base, { createdAt: at(1) });
      await ctx.store.createEntitlement(purchase);
      await ctx.store.createEntitlement(purchase); // existing
      await ctx.store.createEntitlement(entitlement(base, { createdAt: at(2) })); // held
      const rental = entitlement(base, { kind: 'RENTAL', createdAt: at(3), expiresAt: at(100), playSeconds: 60 });
      await ctx.store.createEntitlement(rental);
      // The insert fails (no such content): the transaction rolls back with no event.
      await expect(
        ctx.store.createEntitlement(entitlement({ ...base, contentId: id('missing') }, { createdAt: at(4) })),
      ).rejects.toThrow();
      expect(await history(base.userId)).toMatchObject([
        { type: 'RENTED', at: at(3), entitlementId: rental.id, contentId: base.contentId, bindingId: base.bindingId },
        { type: 'PURCHASED', at: at(1), entitlementId: purchase.id, actor: { id: base.userId, admin: false } },
        { type: 'BINDING_STARTED' },
      ]);
    });

    it('revokeEntitlement writes ENTITLEMENT_REVOKED by the admin with the reason, the first time only', async () => {
      const base = await seed(ctx.store);
      const e = entitlement(base, { createdAt: at(1) });
      await ctx.store.createEntitlement(e);
      await ctx.store.revokeEntitlement(e.id, { revokedAt: at(5), revokedBy: 'admin-1', reason: 'refund' });
      await ctx.store.revokeEntitlement(e.id, { revokedAt: at(6), revokedBy: 'admin-2', reason: 'again' });
      const events = await ctx.store.listEventsPage({ entitlementId: e.id }, 10, null);
      expect(events).toMatchObject([
        { type: 'ENTITLEMENT_REVOKED', at: at(5), actor: { id: 'admin-1', admin: true }, data: { reason: 'refund' } },
        { type: 'PURCHASED' },
      ]);
    });

    it('recordTokenIssued sets the binding last use and writes TOKEN_ISSUED; renameBinding writes BINDING_RENAMED', async () => {
      const base = await seed(ctx.store);
      const e = entitlement(base, { createdAt: at(1) });
      await ctx.store.createEntitlement(e);
      const issued = { userId: base.userId, bindingId: base.bindingId, entitlementId: e.id, contentId: base.contentId };
      await ctx.store.recordTokenIssued({ ...issued, drm: 'wv', offline: true, at: at(8) });
      expect((await ctx.store.getBinding(base.bindingId))?.lastUsedAt).toEqual(at(8));
      const admin = { id: 'admin-1', admin: true };
      expect(await ctx.store.renameBinding(base.bindingId, 'Kitchen', admin, at(9))).toMatchObject({ name: 'Kitchen' });
      expect(await ctx.store.renameBinding(randomUUID(), 'x', admin, at(9))).toBeNull();
      expect(await ctx.store.listEventsPage({ bindingId: base.bindingId }, 10, null)).toMatchObject([
        { type: 'BINDING_RENAMED', actor: admin, data: { name: 'Kitchen' } },
        { type: 'TOKEN_ISSUED', at: at(8), ...issued, data: { drm: 'wv', offline: true } },
        { type: 'PURCHASED' },
        { type: 'BINDING_STARTED' },
      ]);
    });

    it('markBound racing with itself writes one BINDING_BOUND', async () => {
      const b = await ctx.store.createBinding(binding());
      await Promise.all(['1', '2', '3', '4', '5'].map((d) => ctx.store.markBound(b.id, d.repeat(32), at(10))));
      expect(await types(b.userId)).toEqual(['BINDING_BOUND', 'BINDING_STARTED']);
    });

    it('a change whose event cannot be written does not happen: one transaction for both', async () => {
      // Its own database: the events table is made to refuse every event, so each write fails at its event.
      const db = await createDatabase();
      try {
        const store = await db.openStore();
        const base = await seed(store);
        const pending = await store.createBinding(binding({ userId: base.userId }));
        const bought = entitlement(base);
        await store.createEntitlement(bought);
        await db.query(`alter table events add constraint refuse_all check (false) not valid`);
        const admin = { id: 'admin-1', admin: true };
        await expect(store.createBinding(binding({ userId: base.userId }))).rejects.toThrow(/refuse_all/);
        await expect(store.markBound(pending.id, 'a'.repeat(32), at(1))).rejects.toThrow(/refuse_all/);
        await expect(
          store.revokeBinding(base.bindingId, at(2), { actor: admin, reason: 'x', waiveCooldown: true }),
        ).rejects.toThrow(/refuse_all/);
        await expect(store.renameBinding(base.bindingId, 'New', admin, at(3))).rejects.toThrow(/refuse_all/);
        await expect(store.expirePendingBindings(base.userId, at(7200))).rejects.toThrow(/refuse_all/);
        await expect(
          store.createEntitlement(entitlement(base, { kind: 'RENTAL', expiresAt: at(100), playSeconds: 1 })),
        ).rejects.toThrow(/refuse_all/);
        await expect(
          store.revokeEntitlement(bought.id, { revokedAt: at(4), revokedBy: 'admin-1', reason: 'refund' }),
        ).rejects.toThrow(/refuse_all/);
        const issued = {
          userId: base.userId,
          bindingId: base.bindingId,
          entitlementId: bought.id,
          contentId: base.contentId,
        };
        await expect(store.recordTokenIssued({ ...issued, drm: 'wv', offline: false, at: at(5) })).rejects.toThrow(
          /refuse_all/,
        );
        // Nothing changed.
        expect(
          (await store.listBindingsPage(base.userId, 10, null)).map((b) => [
            b.status,
            b.name,
            b.lastUsedAt,
            b.cooldownWaived,
          ]),
        ).toEqual([
          ['PENDING', 'Living-room TV', null, false],
          ['PENDING', 'Living-room TV', null, false],
        ]);
        expect((await store.listEntitlementsPage(base.userId, 10, null)).map((e) => [e.id, e.revokedAt])).toEqual([
          [bought.id, null],
        ]);
        await store.close();
      } finally {
        await db.dispose();
      }
    });

    it('pages events newest first, ties in the order written, from a keyset, per user, binding or entitlement', async () => {
      const userId = id('user');
      // Five at one instant, then one later: the later first, then the five in reverse order of writing.
      const made: string[] = [];
      for (let i = 0; i < 5; i += 1)
        made.push((await ctx.store.createBinding(binding({ userId, createdAt: at(1) }))).id);
      const last = await ctx.store.createBinding(binding({ userId, createdAt: at(2) }));
      const expected = [last.id, ...made.reverse()];
      const page1 = await ctx.store.listEventsPage({ userId }, 4, null);
      const after = page1.at(-1)!;
      const page2 = await ctx.store.listEventsPage({ userId }, 4, { createdAt: after.at, id: after.id });
      expect([...page1, ...page2].map((e) => e.bindingId)).toEqual(expected);
      expect(page2).toHaveLength(2);
      expect(Number(page1[1].id)).toBeGreaterThan(Number(page1[2].id));
      expect(await ctx.store.listEventsPage({ bindingId: last.id }, 10, null)).toHaveLength(1);
      expect(await ctx.store.listEventsPage({ entitlementId: id('none') }, 10, null)).toEqual([]);
      expect(await types(id('nobody'))).toEqual([]);
    });
  });

  describe('webhook outbox', () => {
    // Endpoints subscribe to every user's events: this group has a database of its own.
    const ctx = useStore();
    const secret = () => `whsec_${randomBytes(32).toString('base64')}`;
    const endpoint = (eventTypes: EventType[], overrides: Partial<NewWebhookEndpoint> = {}) =>
      ctx.store.createWebhookEndpoint({
        id: id('ep'),
        url: 'https://receiver.example/hooks',
        eventTypes,
        secret: secret(),
        createdBy: 'admin-1',
        createdAt: T0,
        ...overrides,
      });
    const deliveriesOf = (endpointId: string) => ctx.store.listWebhookDeliveriesPage({ endpointId }, 100, null);
    /** Claims everything due at `when` until nothing is left (other tests' deliveries included). */
    const claimAll = async (when: Date, leaseSeconds = 60) => {
      const all: ClaimedWebhookDelivery[] = [];
      for (;;) {
        const batch = await ctx.store.claimWebhookDeliveries(when, new Date(when.getTime() + leaseSeconds * 1000), 50);
        all.push(...batch);
        if (batch.length < 50) return all;
      }
    };
    const outcome = (status: 'DELIVERED' | 'PENDING' | 'FAILED', nextAttemptAt?: Date) => ({
      attempt: {
        startedAt: T0,
        finishedAt: T0,
        statusCode: status === 'DELIVERED' ? 204 : 500,
        errorKind: status === 'DELIVERED' ? null : ('HTTP_STATUS' as const),
        durationMs: 3,
        responseSnippet: null,
      },
      status,
      ...(nextAttemptAt ? { nextAttemptAt } : {}),
      lastError: status === 'DELIVERED' ? null : 'HTTP 500',
    });

    it('queues one delivery per enabled endpoint subscribed to the event type, with the Standard Webhooks body', async () => {
      const both = await endpoint(['BINDING_STARTED', 'BINDING_BOUND']);
      const boundOnly = await endpoint(['BINDING_BOUND']);
      const disabled = await endpoint(['BINDING_STARTED']);
      await ctx.store.updateWebhookEndpoint(disabled.id, { enabled: false }, at(1));
      const b = await ctx.store.createBinding(binding({ createdAt: at(2) }));
      await ctx.store.markBound(b.id, 'd'.repeat(32), at(3));
      const queued = await deliveriesOf(both.id);
      expect(queued.map((d) => [d.eventType, d.status, d.attempts])).toEqual([
        ['BINDING_BOUND', 'PENDING', 0],
        ['BINDING_STARTED', 'PENDING', 0],
      ]);
      expect(queued[0].id).toMatch(/^msg_[0-9a-f-]{36}$/);
      expect((await deliveriesOf(boundOnly.id)).map((d) => d.eventType)).toEqual(['BINDING_BOUND']);
      expect(await deliveriesOf(disabled.id)).toEqual([]);
      const [event] = await ctx.store.listEventsPage({ bindingId: b.id }, 1, null);
      const [row] = await ctx.db.query<{ body: string }>('select body from webhook_deliveries where id = $1', [
        queued[0].id,
      ]);
      expect(JSON.parse(row.body)).toEqual({
        type: 'BINDING_BOUND',
        timestamp: at(3).toISOString(),
        data: {
          eventId: event.id,
          userId: b.userId,
          actor: { id: b.userId, admin: false },
          bindingId: b.id,
          entitlementId: null,
          contentId: null,
          deviceId: 'd'.repeat(32),
          drm: 'WIDEVINE',
        },
      });
    });

    it("queues the deliveries of a purchase on a binding and of a license token's one-statement record, and says so", async () => {
      const hooked = await endpoint(['PURCHASED', 'TOKEN_ISSUED']);
      // Seeded before listening: other tests' endpoints may subscribe to the binding's own events.
      const base = await seed(ctx.store);
      await ctx.store.markBound(base.bindingId, 'd'.repeat(32), at(1));
      let heard = 0;
      const stopListening = ctx.store.onWebhooksQueued(() => (heard += 1));
      try {
        const e = entitlement(base, { createdAt: at(1) });
        expect(await ctx.store.createEntitlementOnBinding(e)).toMatchObject({ outcome: 'created' });
        expect(heard).toBe(1);
        const issued = {
          userId: base.userId,
          bindingId: base.bindingId,
          entitlementId: e.id,
          contentId: base.contentId,
        };
        await ctx.store.recordTokenIssued({ ...issued, drm: 'wv', offline: false, at: at(2) });
        expect(heard).toBe(2);
        expect((await ctx.store.getBinding(base.bindingId))?.lastUsedAt).toEqual(at(2));
        expect((await deliveriesOf(hooked.id)).map((d) => d.eventType)).toEqual(['TOKEN_ISSUED', 'PURCHASED']);
      } finally {
        stopListening();
      }
    });

    it('keeps the secret encrypted and never returns it from a read', async () => {
      const s = secret();
      const e = await endpoint(['PURCHASED'], { secret: s });
      expect(JSON.stringify(await ctx.store.getWebhookEndpoint(e.id))).not.toContain(s.slice(6));
      const [row] = await ctx.db.query<{ secret_ciphertext: string }>(
        'select secret_ciphertext from webhook_endpoints where id = $1',
        [e.id],
      );
      expect(row.secret_ciphertext).toMatch(/^v1:/);
      expect(row.secret_ciphertext).not.toContain(s.slice(6));
    });

    it('claims each due delivery once, leases it, reclaims it when the lease ends, and lets only the holder record', async () => {
      const e = await endpoint(['BINDING_STARTED']);
      const b = await ctx.store.createBinding(binding({ createdAt: at(10) }));
      const [delivery] = await deliveriesOf(e.id);
      // Not due yet, then due: two claims at once share it out, never both.
      expect((await claimAll(at(9))).map((c) => c.id)).not.toContain(delivery.id);
      const [first, second] = await Promise.all([claimAll(at(10)), claimAll(at(10))]);
      const mine = [...first, ...second].filter((c) => c.id === delivery.id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ attempt: 1, url: 'https://receiver.example/hooks', queuedAt: at(10) });
      expect(mine[0].secret).toMatch(/^whsec_/);
      expect(JSON.parse(mine[0].body)).toMatchObject({ type: 'BINDING_STARTED', data: { bindingId: b.id } });
      expect(await ctx.store.getWebhookDelivery(delivery.id)).toMatchObject({ status: 'SENDING', attempts: 1 });
      // Within the lease nobody takes it; once it has ended (the worker died), the next claim does, as attempt 2.
      expect((await claimAll(at(69))).map((c) => c.id)).not.toContain(delivery.id);
      const again = (await claimAll(at(71))).filter((c) => c.id === delivery.id);
      expect(again.map((c) => c.attempt)).toEqual([2]);
      // The first holder's late answer is kept as an attempt but decides nothing; the holder's does.
      expect(await ctx.store.recordWebhookAttempt(delivery.id, 1, outcome('DELIVERED'))).toBe(false);
      expect(await ctx.store.getWebhookDelivery(delivery.id)).toMatchObject({ status: 'SENDING' });
      expect(await ctx.store.recordWebhookAttempt(delivery.id, 2, outcome('PENDING', at(100)))).toBe(true);
      expect(await ctx.store.getWebhookDelivery(delivery.id)).toMatchObject({
        status: 'PENDING',
        nextAttemptAt: at(100),
        lastError: 'HTTP 500',
      });
      expect((await ctx.store.webhookAttemptsOf([delivery.id])).map((a) => [a.number, a.statusCode])).toEqual([
        [1, 204],
        [2, 500],
      ]);
    });

    it('replays a DELIVERED or FAILED delivery under the same id, and leaves one on its way alone', async () => {
      const e = await endpoint(['BINDING_STARTED']);
      await ctx.store.createBinding(binding({ createdAt: at(20) }));
      const [delivery] = await deliveriesOf(e.id);
      expect(await ctx.store.replayWebhookDelivery(delivery.id, at(21))).toMatchObject({ status: 'PENDING' });
      const claimed = (await claimAll(at(21))).find((c) => c.id === delivery.id)!;
      await ctx.store.recordWebhookAttempt(delivery.id, claimed.attempt, outcome('FAILED'));
      // A replay wakes this process's worker, as a commit that queued deliveries does.
      let heard = 0;
      const stopListening = ctx.store.onWebhooksQueued(() => (heard += 1));
      const replayed = await ctx.store.replayWebhookDelivery(delivery.id, at(500));
      stopListening();
      expect(heard).toBe(1);
      expect(replayed).toMatchObject({
        id: delivery.id,
        status: 'PENDING',
        queuedAt: at(500),
        nextAttemptAt: at(500),
      });
      expect((await claimAll(at(500))).find((c) => c.id === delivery.id)).toMatchObject({ attempt: 2 });
      expect(await ctx.store.replayWebhookDelivery(id('msg'), at(500))).toBeNull();
    });

    it("does not send a disabled endpoint's queued deliveries until it is enabled again", async () => {
      const e = await endpoint(['BINDING_STARTED']);
      await ctx.store.createBinding(binding({ createdAt: at(30) }));
      await ctx.store.updateWebhookEndpoint(e.id, { enabled: false }, at(30));
      const [delivery] = await deliveriesOf(e.id);
      expect((await claimAll(at(31))).map((c) => c.id)).not.toContain(delivery.id);
      await ctx.store.updateWebhookEndpoint(e.id, { enabled: true }, at(32));
      expect((await claimAll(at(32))).map((c) => c.id)).toContain(delivery.id);
    });

    it('pages endpoints and deliveries newest first, deliveries per endpoint and status', async () => {
      const e = await endpoint(['BINDING_STARTED'], { createdAt: at(40) });
      for (let i = 0; i < 5; i += 1) await ctx.store.createBinding(binding({ createdAt: at(40 + i) }));
      const page1 = await ctx.store.listWebhookDeliveriesPage({ endpointId: e.id }, 3, null);
      const last = page1.at(-1)!;
      const page2 = await ctx.store.listWebhookDeliveriesPage({ endpointId: e.id }, 3, {
        createdAt: last.createdAt,
        id: last.id,
      });
      expect([...page1, ...page2].map((d) => d.createdAt)).toEqual([at(44), at(43), at(42), at(41), at(40)]);
      expect(await ctx.store.listWebhookDeliveriesPage({ endpointId: e.id, status: 'DELIVERED' }, 3, null)).toEqual([]);
      const endpoints = await ctx.store.listWebhookEndpointsPage(100, null);
      expect(endpoints[0]).toMatchObject({ id: e.id, eventTypes: ['BINDING_STARTED'], enabled: true });
    });

    it('a change whose webhook delivery cannot be queued does not happen, nor does its event', async () => {
      const db = await createDatabase();
      try {
        const store = await db.openStore();
        const base = await seed(store);
        const pending = await store.createBinding(binding({ userId: base.userId }));
        const bought = entitlement(base);
        await store.createEntitlement(bought);
        const everything = Object.values(EVENT_TYPES);
        await store.createWebhookEndpoint({
          id: id('ep'),
          url: 'https://receiver.example/hooks',
          eventTypes: everything,
          secret: secret(),
          createdBy: 'admin-1',
          createdAt: T0,
        });
        const eventsBefore = await db.query('select id from events');
        await db.query(`alter table webhook_deliveries add constraint refuse_all check (false) not valid`);
        const admin = { id: 'admin-1', admin: true };
        await expect(store.createBinding(binding({ userId: base.userId }))).rejects.toThrow(/refuse_all/);
        await expect(store.markBound(pending.id, 'a'.repeat(32), at(1))).rejects.toThrow(/refuse_all/);
        await expect(store.revokeBinding(base.bindingId, at(2), { actor: admin, reason: 'x' })).rejects.toThrow(
          /refuse_all/,
        );
        await expect(store.renameBinding(base.bindingId, 'New', admin, at(3))).rejects.toThrow(/refuse_all/);
        await expect(store.expirePendingBindings(base.userId, at(7200))).rejects.toThrow(/refuse_all/);
        await expect(
          store.createEntitlement(entitlement(base, { kind: 'RENTAL', expiresAt: at(100), playSeconds: 1 })),
        ).rejects.toThrow(/refuse_all/);
        await expect(
          store.revokeEntitlement(bought.id, { revokedAt: at(4), revokedBy: 'admin-1', reason: 'refund' }),
        ).rejects.toThrow(/refuse_all/);
        const issued = { userId: base.userId, bindingId: base.bindingId, entitlementId: bought.id };
        await expect(
          store.recordTokenIssued({ ...issued, contentId: base.contentId, drm: 'wv', offline: false, at: at(5) }),
        ).rejects.toThrow(/refuse_all/);
        // Nothing changed, and no event was written.
        expect(
          (await store.listBindingsPage(base.userId, 100, null)).map((b) => [b.status, b.name, b.lastUsedAt]),
        ).toEqual([
          ['PENDING', 'Living-room TV', null],
          ['PENDING', 'Living-room TV', null],
        ]);
        expect((await store.listEntitlementsPage(base.userId, 100, null)).map((e) => [e.id, e.revokedAt])).toEqual([
          [bought.id, null],
        ]);
        expect(await db.query('select id from events')).toEqual(eventsBefore);
        await store.close();
      } finally {
        await db.dispose();
      }
    });
  });

  describe('rate limits', () => {
    const ctx = useStore();
    /** One hit of one action: whether it was counted. */
    const hit = async (userId: string, action: string, limit: number, windowSeconds: number, now: Date) =>
      (await ctx.store.reserveRateLimits(userId, [{ action, limit, want: 1 }], windowSeconds, now))[0] === 1;

    it('allows `limit` hits per window and refuses the rest', async () => {
      const userId = id('user');
      const hits = [];
      for (let i = 0; i < 5; i++) hits.push(await hit(userId, 'purchase', 3, 60, at(i)));
      expect(hits).toEqual([true, true, true, false, false]);
    });

    it('counts each user and each action apart', async () => {
      const userId = id('user');
      expect(await hit(userId, 'purchase', 1, 60, T0)).toBe(true);
      expect(await hit(userId, 'purchase', 1, 60, T0)).toBe(false);
      expect(await hit(userId, 'rent', 1, 60, T0)).toBe(true);
      expect(await hit(id('user'), 'purchase', 1, 60, T0)).toBe(true);
    });

    it('starts a new count when the window rolls over, at the window boundary', async () => {
      const userId = id('user');
      // Windows are aligned to multiples of the window length since the epoch: T0 falls in [00:00:00, 00:01:00).
      const windowEnd = new Date('2030-01-01T00:01:00.000Z');
      expect(await hit(userId, 'bind', 2, 60, T0)).toBe(true);
      expect(await hit(userId, 'bind', 2, 60, new Date(windowEnd.getTime() - 1))).toBe(true);
      expect(await hit(userId, 'bind', 2, 60, new Date(windowEnd.getTime() - 1))).toBe(false);
      expect(await hit(userId, 'bind', 2, 60, windowEnd)).toBe(true);
      expect(await hit(userId, 'bind', 2, 60, new Date(windowEnd.getTime() + 59_999))).toBe(true);
      expect(await hit(userId, 'bind', 2, 60, new Date(windowEnd.getTime() + 59_999))).toBe(false);
    });

    it('keeps one counter row per window and drops windows older than the previous one', async () => {
      const userId = id('user');
      const windows = async () =>
        (
          await ctx.db.query<{ window_start: Date; hits: number }>(
            'select window_start, hits from rate_limits where user_id = $1 order by window_start',
            [userId],
          )
        ).map((r) => [r.window_start.toISOString(), r.hits]);
      for (let i = 0; i < 3; i++) await hit(userId, 'bind', 10, 60, at(i));
      expect(await windows()).toEqual([['2030-01-01T00:00:00.000Z', 3]]);
      await hit(userId, 'bind', 10, 60, at(60));
      await hit(userId, 'bind', 10, 60, at(120));
      expect(await windows()).toEqual([
        ['2030-01-01T00:01:00.000Z', 1],
        ['2030-01-01T00:02:00.000Z', 1],
      ]);
    });

    it("sweeps other users' stale windows of the same action, and keeps the previous window as slack", async () => {
      const action = `sweep-${id('action')}`;
      const users = Array.from({ length: 5 }, () => id('user'));
      for (const user of users) await hit(user, action, 10, 60, at(0));
      await hit(users[0], action, 10, 60, at(60));
      await hit(id('other'), 'untouched', 10, 60, at(0));
      const rows = async (a: string) =>
        (await ctx.db.query<{ n: string }>('select count(*) as n from rate_limits where action = $1', [a]))[0].n;
      // Windows at 0 s are the slack for a hit at 60 s: nothing goes.
      expect(Number(await rows(action))).toBe(6);
      await hit(id('newcomer'), action, 10, 60, at(120));
      // At 120 s the window at 0 s is stale for everyone; another action's rows are left alone.
      expect(Number(await rows(action))).toBe(2);
      expect(Number(await rows('untouched'))).toBe(1);
    });

    it('counts concurrent hits exactly', async () => {
      const userId = id('user');
      const results = await Promise.all(Array.from({ length: 20 }, () => hit(userId, 'rent', 5, 60, T0)));
      expect(results.filter(Boolean)).toHaveLength(5);
      // Refused hits are not counted: the counter stops at the limit.
      const [row] = await ctx.db.query<{ hits: number }>('select hits from rate_limits where user_id = $1', [userId]);
      expect(row.hits).toBe(5);
    });

    it('writes nothing for a refused hit', async () => {
      const userId = id('user');
      for (let i = 0; i < 2; i++) await hit(userId, 'bind', 2, 60, at(i));
      const version = async () =>
        (
          await ctx.db.query<{ xmin: string; hits: number }>(
            'select xmin::text as xmin, hits from rate_limits where user_id = $1',
            [userId],
          )
        )[0];
      const before = await version();
      for (let i = 0; i < 5; i++) expect(await hit(userId, 'bind', 2, 60, at(2 + i))).toBe(false);
      // The same tuple: no update made a new row version.
      expect(await version()).toEqual(before);
      expect(before.hits).toBe(2);
    });

    it("reserves several actions' slices in one statement, each under its own limit, one hit near it", async () => {
      const userId = id('user');
      /** [action, limit, want] each. */
      const reserve = (asks: Array<[string, number, number]>) =>
        ctx.store.reserveRateLimits(
          userId,
          asks.map(([action, limit, want]) => ({ action, limit, want })),
          60,
          T0,
        );
      const statements = await statementsOf(async () =>
        expect(
          await reserve([
            ['purchase', 10, 4],
            ['upstream', 3, 5],
          ]),
        ).toEqual([4, 3]),
      );
      expect(statements).toHaveLength(1);
      // purchase has 6 left: 4 fit; upstream none, and its row is not rewritten.
      const upstreamRow = async () =>
        (
          await ctx.db.query<{ xmin: string; hits: number }>(
            "select xmin::text as xmin, hits from rate_limits where user_id = $1 and action = 'upstream'",
            [userId],
          )
        )[0];
      const before = await upstreamRow();
      expect(
        await reserve([
          ['purchase', 10, 4],
          ['upstream', 3, 1],
        ]),
      ).toEqual([4, 0]);
      expect(await upstreamRow()).toEqual(before);
      // 2 left of purchase's 10: a slice of 4 no longer fits, one hit does (a second statement, for it alone).
      const nearTheLimit = await statementsOf(async () =>
        expect(
          await reserve([
            ['purchase', 10, 4],
            ['rent', 10, 4],
          ]),
        ).toEqual([1, 4]),
      );
      expect(nearTheLimit).toHaveLength(2);
      await expect(
        reserve([
          ['rent', 10, 1],
          ['rent', 10, 1],
        ]),
      ).rejects.toThrow(RangeError);
    });

    it('sweeps the stale windows of every action a reservation opens, in its one statement', async () => {
      const [a, b] = [`sweep-${id('a')}`, `sweep-${id('b')}`];
      const users = Array.from({ length: 3 }, () => id('user'));
      /** One hit of each action for `user` at `when`. */
      const reserveBoth = (user: string, when: Date) =>
        ctx.store.reserveRateLimits(
          user,
          [
            { action: a, limit: 5, want: 1 },
            { action: b, limit: 5, want: 1 },
          ],
          60,
          when,
        );
      for (const user of users) await reserveBoth(user, at(0));
      const rows = async (action: string) =>
        Number(
          (await ctx.db.query<{ n: string }>('select count(*) as n from rate_limits where action = $1', [action]))[0].n,
        );
      expect([await rows(a), await rows(b)]).toEqual([3, 3]);
      const sweeping = await statementsOf(() => reserveBoth(users[0], at(120)));
      expect(sweeping).toHaveLength(1);
      // Each action keeps only the window just opened.
      expect([await rows(a), await rows(b)]).toEqual([1, 1]);
    });

    it('refuses a window that is not a positive whole number of seconds', async () => {
      await expect(hit(id('user'), 'bind', 1, 0, T0)).rejects.toThrow(RangeError);
      await expect(hit(id('user'), 'bind', 1, 1.5, T0)).rejects.toThrow(RangeError);
    });
  });

  describe('lifecycle', () => {
    it('pings, closes once, and answers false to ping after close', async () => {
      const db = await createDatabase();
      try {
        const store = await db.openStore();
        expect(await store.ping()).toBe(true);
        await Promise.all([store.close(), store.close()]);
        await store.close();
        expect(await store.ping()).toBe(false);
      } finally {
        await db.dispose();
      }
    });

    it('migration 0004 keeps the oldest of duplicate purchases made before it, and then refuses new ones', async () => {
      const db = await createDatabase();
      try {
        const store = await db.openStore();
        const base = await seed(store);
        const other = await seed(store);
        await store.close();
        // Back to the schema as it was before 0004, and the duplicates concurrent purchases used to make.
        await db.query(`drop index entitlements_one_purchase`);
        await db.query(
          `alter table entitlements drop column revoked_at, drop column revoked_by, drop column revoke_reason`,
        );
        await db.query(`alter table contents drop column offline_allowed`);
        for (const statement of UNDO_PAGE_INDEXES) await db.query(statement);
        await db.query(forgetMigrationsFrom('0004-one-purchase-per-title'));
        const insert = (e: NewEntitlement) =>
          db.query(
            `insert into entitlements (id, user_id, content_id, kind, binding_id, idempotency_key, created_at, expires_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [e.id, e.userId, e.contentId, e.kind, e.bindingId, e.idempotencyKey, e.createdAt, e.expiresAt],
          );
        const oldest = entitlement(base, { id: 'e-2', createdAt: at(1) });
        const sameTime = entitlement(base, { id: 'e-3', createdAt: at(1) });
        const later = entitlement(base, { id: 'e-1', createdAt: at(2) });
        const rentals = [0, 1].map((i) => entitlement(base, { kind: 'RENTAL', createdAt: at(i), expiresAt: at(3600) }));
        const othersPurchase = entitlement(other, { createdAt: at(5) });
        for (const e of [later, sameTime, oldest, ...rentals, othersPurchase]) await insert(e);

        const migrated = await db.openStore();
        const left = await db.query<{ id: string }>(`select id from entitlements order by id`);
        expect(left.map((r) => r.id).sort()).toEqual(
          [oldest.id, ...rentals.map((r) => r.id), othersPurchase.id].sort(),
        );
        expect((await migrated.createEntitlement(entitlement(base))).entitlement.id).toBe(oldest.id);
        await migrated.close();
        await expect(insert(entitlement(base))).rejects.toThrow(/entitlements_one_purchase/);
      } finally {
        await db.dispose();
      }
    });

    it('reopening a migrated database applies nothing twice and keeps the data', async () => {
      const db = await createDatabase();
      try {
        const store = await db.openStore();
        const input = content();
        await store.upsertContent(input, T0);
        await store.close();
        const again = await db.openStore();
        expect((await again.getContent(input.id))?.contentKey).toBe(input.contentKey);
        await again.close();
        expect(await db.query('select name from kysely_migration')).toEqual(MIGRATION_NAMES.map((name) => ({ name })));
      } finally {
        await db.dispose();
      }
    });
  });
}
