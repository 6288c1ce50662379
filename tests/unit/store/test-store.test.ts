import { describe, expect, it } from 'vitest';
import { createTestStore, testStoreBackend } from '../../helpers/test-store.js';

describe('createTestStore', () => {
  it('gives each call its own empty, migrated database', async () => {
    expect(testStoreBackend()).toBe(process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite');
    const [a, b] = await Promise.all([createTestStore(), createTestStore()]);
    try {
      await a.upsertContent(
        { id: 'c', title: 't', keyId: 'k', contentKey: 'ck', iv: null, rentalPeriodSeconds: 1, rentalPlaySeconds: 1 },
        new Date(),
      );
      expect(await a.listContentsPage(10, null)).toHaveLength(1);
      expect(await b.listContentsPage(10, null)).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    await a.close();
  });
});
