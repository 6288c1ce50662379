import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DataDirLockedError,
  DataDirUnusableError,
  EncryptionKeyMismatchError,
} from '../../../src/store/startup-errors.js';
import { createStore } from '../../../src/store/create-store.js';
import type { ContentInput } from '../../../src/store/types.js';
import { migratedDataDir, migratedPglite } from '../../helpers/test-store.js';
import { forgetMigrationsFrom, MIGRATION_NAMES, STORE_TABLES, UNDO_PAGE_INDEXES } from './store-contract.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const content: ContentInput = {
  id: 'content-1',
  title: 'Tears of Steel',
  keyId: '0'.repeat(32),
  contentKey: randomBytes(16).toString('hex'),
  iv: null,
  rentalPeriodSeconds: 3600,
  rentalPlaySeconds: 600,
};

describe('createStore on PGlite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'store-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the data folder, keeps the data across a reopen, and migrates once', async () => {
    const dataDir = join(dir, 'nested', 'pglite');
    const key = randomBytes(32);
    const logged: object[] = [];
    const logger = { info: (obj: object) => logged.push(obj), warn: (obj: object) => logged.push(obj) };

    const first = await createStore({ dataDir, contentKeyEncryptionKey: key, logger });
    // PGlite is one session of one process: a second store on the folder is refused while the first is open.
    await expect(createStore({ dataDir, contentKeyEncryptionKey: key })).rejects.toThrow(DataDirLockedError);
    await first.upsertContent(content, T0);
    const binding = await first.createBinding({
      id: 'b-1',
      userId: 'u-1',
      name: null,
      cookie: 'cookie-1',
      drm: 'pr',
      createdAt: T0,
      pendingExpiresAt: T0,
    });
    await first.close();
    expect(logged).toEqual(MIGRATION_NAMES.map((migration) => ({ migration, schema: 'public' })));

    const second = await createStore({ dataDir, contentKeyEncryptionKey: key, logger });
    expect(await second.getContent(content.id)).toEqual({
      ...content,
      offlineAllowed: false,
      createdAt: T0,
      updatedAt: T0,
    });
    expect(await second.getBinding('b-1')).toEqual(binding);
    await second.close();
    expect(logged).toHaveLength(MIGRATION_NAMES.length); // nothing more on the reopen

    // With the wrong key the open itself fails: better at start-up than on the first token request.
    const wrongKey = randomBytes(32);
    const error = await createStore({ dataDir, contentKeyEncryptionKey: wrongKey }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(EncryptionKeyMismatchError);
    for (const secret of [key, wrongKey]) {
      expect(`${error?.message}${error?.stack}`).not.toContain(secret.toString('hex'));
    }
    // …and released the data folder: it opens again.
    const third = await createStore({ dataDir, contentKeyEncryptionKey: key });
    expect(await third.ping()).toBe(true);
    await third.close();
  });

  it('says which data directory is damaged, whether PGlite aborts on it or its first queries fail', async () => {
    const dataDir = join(dir, 'to-damage');
    const key = randomBytes(32);
    // A sound folder to spoil: the migrated template, written out faster than a new folder's initdb.
    await migratedDataDir(dataDir);
    const damage: Record<string, (copy: string) => Promise<void>> = {
      // PGlite aborts: a wasm RuntimeError.
      pg_control: (copy) => writeFile(join(copy, 'global', 'pg_control'), randomBytes(8192)),
      // PGlite opens, but every transaction's state is garbage: the migrations find tables they never made.
      pg_xact: async (copy) => {
        // Every transaction marked aborted (2 bits each, 0b10), deterministically: random bytes could mark the
        // migrations' own transactions committed and let the store open.
        for (const file of await readdir(join(copy, 'pg_xact')))
          await writeFile(join(copy, 'pg_xact', file), Buffer.alloc(8192, 0xaa));
      },
    };
    for (const [name, spoil] of Object.entries(damage)) {
      const copy = join(dir, `damaged-${name}`);
      await cp(dataDir, copy, { recursive: true });
      await spoil(copy);
      const error = await createStore({ dataDir: copy, contentKeyEncryptionKey: key }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error, name).toBeInstanceOf(DataDirUnusableError);
      expect(error?.message).toMatch(
        new RegExp(`^The embedded database in ${copy} cannot be opened.*Restore the folder from a backup`),
      );
      expect(error?.message).not.toMatch(/Aborted|RuntimeError/);
      expect(await readdir(copy)).not.toContain('pglite.lock');
    }
  });

  it('runs in memory', async () => {
    const store = await createStore({ memory: true, contentKeyEncryptionKey: randomBytes(32) });
    await store.upsertContent(content, T0);
    expect((await store.listContentsPage(10, null)).map((c) => c.id)).toEqual([content.id]);
    await store.close();
  });

  it('puts every table in the schema it is given', async () => {
    // A copy of the migrated template (tables in public), which opens faster than a new PGlite.
    const lite = await migratedPglite();
    const tables = async () =>
      (
        await lite.query<{ table_schema: string; table_name: string }>(
          `select table_schema, table_name from information_schema.tables
           where table_schema not in ('pg_catalog', 'information_schema') order by 1, 2`,
        )
      ).rows;
    try {
      const before = await tables();
      const store = await createStore({
        pglite: lite,
        keepPgliteOpen: true,
        schema: 'tenant_a',
        contentKeyEncryptionKey: randomBytes(32),
      });
      await store.upsertContent(content, T0);
      await store.close();
      expect(await tables()).toEqual([
        ...before,
        ...STORE_TABLES.map((table_name) => ({ table_schema: 'tenant_a', table_name })),
      ]);
      expect((await lite.query('select id from public.contents')).rows).toEqual([]);
    } finally {
      await lite.close();
    }
  });

  it("gives rentals made before rental terms were kept their title's play time (migration 0003)", async () => {
    const lite = await migratedPglite();
    const key = randomBytes(32);
    try {
      const store = await createStore({ pglite: lite, keepPgliteOpen: true, contentKeyEncryptionKey: key });
      await store.upsertContent(content, T0);
      await store.createBinding({
        id: 'b-1',
        userId: 'u-1',
        name: null,
        cookie: 'c-1',
        drm: 'wv',
        createdAt: T0,
        pendingExpiresAt: T0,
      });
      const rental = { userId: 'u-1', contentId: content.id, bindingId: 'b-1', createdAt: T0, expiresAt: T0 };
      await store.createEntitlement({
        ...rental,
        id: 'e-rent',
        kind: 'RENTAL',
        idempotencyKey: 'k-rent',
        playSeconds: 42,
      });
      await store.createEntitlement({
        ...rental,
        id: 'e-buy',
        kind: 'PURCHASE',
        idempotencyKey: 'k-buy',
        expiresAt: null,
        playSeconds: null,
      });
      await store.close();
      // Back to the schema as it was before 0003.
      await lite.exec(`drop index entitlements_one_purchase; alter table entitlements drop column play_seconds;
        alter table entitlements drop column revoked_at, drop column revoked_by, drop column revoke_reason; alter table contents drop column offline_allowed;
        ${UNDO_PAGE_INDEXES.join(';\n')};
        ${forgetMigrationsFrom('0003-rental-play-seconds')}`);

      const migrated = await createStore({ pglite: lite, keepPgliteOpen: true, contentKeyEncryptionKey: key });
      expect((await migrated.getEntitlement('e-rent'))?.playSeconds).toBe(content.rentalPlaySeconds);
      expect((await migrated.getEntitlement('e-buy'))?.playSeconds).toBeNull();
      await migrated.close();
    } finally {
      await lite.close();
    }
  });

  it('refuses bad options before opening anything', async () => {
    const contentKeyEncryptionKey = randomBytes(32);
    await expect(createStore({ contentKeyEncryptionKey })).rejects.toThrow(/databaseUrl, dataDir, memory or pglite/);
    await expect(createStore({ memory: true, contentKeyEncryptionKey: randomBytes(31) })).rejects.toThrow(/32 bytes/);
    await expect(
      createStore({ memory: true, schema: 'x; drop table contents', contentKeyEncryptionKey }),
    ).rejects.toThrow(/schema name/);
  });
});
