import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createStore } from '../../../src/store/create-store.js';
import { createPostgresTestDatabase } from '../../helpers/test-store.js';
import { defineStoreContract } from './store-contract.js';

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('Store on PostgreSQL (TEST_DATABASE_URL)', () => {
  defineStoreContract(() => createPostgresTestDatabase(url!));

  it('several replicas starting at once on an empty schema migrate it once', async () => {
    const schema = `test_${randomBytes(8).toString('hex')}`;
    const key = randomBytes(32);
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => createStore({ databaseUrl: url!, schema, contentKeyEncryptionKey: key, poolSize: 2 })),
    );
    try {
      for (const store of stores) expect(await store.ping()).toBe(true);
      const db = await createPostgresTestDatabase(url!);
      try {
        const rows = await db.query(`select name from ${schema}.kysely_migration`);
        expect(rows).toEqual([{ name: '0001-initial' }]);
        const tables = await db.query<{ table_name: string }>(
          'select table_name from information_schema.tables where table_schema = $1 order by table_name',
          [schema],
        );
        expect(tables.map((t) => t.table_name)).toEqual([
          'bindings',
          'contents',
          'entitlements',
          'kysely_migration',
          'kysely_migration_lock',
          'rate_limits',
        ]);
        await db.query(`drop schema ${schema} cascade`);
      } finally {
        await db.dispose();
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
