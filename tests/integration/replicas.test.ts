/**
 * Two replicas of the service on one PostgreSQL database (the documented multi-replica set-up): concurrent purchases
 * and rentals of one title by one user, spread over both, through GraphQL over HTTP, sell it once.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newDeviceId, playStream } from '../../src/device/simulated-device.js';
import type { Store } from '../../src/store/types.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createPostgresTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { describeWithEnv } from '../helpers/needs.js';

const url = process.env.TEST_DATABASE_URL;

const BIND = /* GraphQL */ `
  mutation Bind($input: BindDeviceInput!) {
    bindDevice(input: $input) {
      binding {
        id
      }
      contentUrl
    }
  }
`;
const PURCHASE = /* GraphQL */ `
  mutation Purchase($input: PurchaseInput!) {
    purchase(input: $input) {
      entitlement {
        id
        kind
      }
      licenseUrl
    }
  }
`;
const RENT = /* GraphQL */ `
  mutation Rent($input: RentInput!) {
    rent(input: $input) {
      entitlement {
        id
        kind
      }
      licenseUrl
    }
  }
`;
const UPSERT = /* GraphQL */ `
  mutation Upsert($input: UpsertContentInput!) {
    upsertContent(input: $input) {
      id
    }
  }
`;

describeWithEnv(['TEST_DATABASE_URL'], 'two replicas on one PostgreSQL', () => {
  let database: TestDatabase;
  const stores: Store[] = [];
  const apps: TestApp[] = [];

  beforeAll(async () => {
    database = await createPostgresTestDatabase(url!);
    const env = { AUTH_JWT_SECRET: randomBytes(32).toString('hex'), RATE_LIMIT_PER_MINUTE: '10000' };
    for (let i = 0; i < 2; i++) {
      const store = await database.openStore();
      stores.push(store);
      apps.push(await startTestApp(env, { store, seedDemoCatalog: false }));
    }
    const admin = await apps[0].token('admin', { admin: true });
    const film = await apps[0].gql(
      UPSERT,
      {
        input: {
          id: 'film-1',
          title: 'Film One',
          keyId: 'a1'.repeat(16),
          contentKey: 'c3'.repeat(16),
          iv: 'e5'.repeat(16),
          rental: { periodSeconds: 3600, playSeconds: 600 },
        },
      },
      { token: admin },
    );
    expect(film.errors).toBeUndefined();
  });

  afterAll(async () => {
    for (const app of apps) await app.stop();
    for (const store of stores) await store.close();
    await database?.dispose();
  });

  /** A user with a bound device (bound through the first replica); both replicas see it in the shared database. */
  async function boundUser(userId: string): Promise<{ token: string; bindingId: string }> {
    const token = await apps[0].token(userId);
    const bound = await apps[0].gql<{ bindDevice: { binding: { id: string }; contentUrl: string } }>(
      BIND,
      { input: {} },
      { token },
    );
    expect(bound.errors).toBeUndefined();
    expect((await playStream(bound.data!.bindDevice.contentUrl, newDeviceId())).granted).toBe(true);
    const bindingId = bound.data!.bindDevice.binding.id;
    // Each replica has its own sandbox: the first one, whose sandbox saw the device play, records the binding as
    // BOUND in the shared database before the other is asked.
    const read = await apps[0].gql<{ deviceBinding: { status: string } }>(
      `query($id: ID!) { deviceBinding(id: $id) { status } }`,
      { id: bindingId },
      { token },
    );
    expect(read.data?.deviceBinding.status).toBe('BOUND');
    return { token, bindingId };
  }

  async function race(mutation: string, userId: string, requests: number) {
    const { token, bindingId } = await boundUser(userId);
    const results = await Promise.all(
      Array.from({ length: requests }, (_, i) =>
        apps[i % 2].gql<Record<string, { entitlement: { id: string } }>>(
          mutation,
          {
            input: {
              contentId: 'film-1',
              bindingId,
              idempotencyKey: `${userId}-${i}-${randomBytes(4).toString('hex')}`,
            },
          },
          { token },
        ),
      ),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const ids = new Set(results.map((r) => Object.values(r.data!)[0].entitlement.id));
    const rows = await database.query<{ id: string }>('select id from entitlements where user_id = $1', [userId]);
    return { answered: [...ids], stored: rows.map((r) => r.id) };
  }

  it('50 concurrent purchases with 50 keys over both replicas make one entitlement, and every answer is it', async () => {
    const { answered, stored } = await race(PURCHASE, 'buyer', 50);
    expect(stored).toHaveLength(1);
    expect(answered).toEqual(stored);
  });

  it('50 concurrent rentals with 50 keys over both replicas make one running rental', async () => {
    const { answered, stored } = await race(RENT, 'renter', 50);
    expect(stored).toHaveLength(1);
    expect(answered).toEqual(stored);
  });

  it('a double tap (one request to each replica, fresh keys) makes one purchase, 15 times out of 15', async () => {
    const counts: number[] = [];
    for (let trial = 0; trial < 15; trial++) counts.push((await race(PURCHASE, `tapper-${trial}`, 2)).stored.length);
    expect(counts).toEqual(Array.from({ length: 15 }, () => 1));
  });
});
