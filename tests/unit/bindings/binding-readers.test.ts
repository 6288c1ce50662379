import { describe, expect, it } from 'vitest';
import { createBindingReaders } from '../../../src/bindings/binding-readers.js';
import type { ExpressPlayClient, LicenseRecord } from '../../../src/datasources/expressplay/types.js';
import type { BindingRecord, Store } from '../../../src/store/types.js';

function fakeExpressPlay(fail: Set<string> = new Set()): [ExpressPlayClient, string[]] {
  const calls: string[] = [];
  return [
    {
      requestToken: async () => ({ licenseUrl: 'x' }),
      async recordsByCookie(cookie) {
        calls.push(cookie);
        if (fail.has(cookie)) throw new Error(`down for ${cookie}`);
        return [
          {
            eventId: 1,
            time: new Date(),
            cookie,
            deviceId: 'd'.repeat(32),
            drm: 'fp',
            outcome: 'granted',
            errorCode: null,
          } satisfies LicenseRecord,
        ];
      },
    },
    calls,
  ];
}

/** A store that can only be read from: any other call fails the test. */
function readOnlyStore(rows: Record<string, BindingRecord>): [Store, string[]] {
  const calls: string[] = [];
  const store = new Proxy({} as Store, {
    get(_, method: string) {
      if (method === 'getBinding') {
        return async (id: string) => {
          calls.push(`getBinding ${id}`);
          return rows[id] ?? null;
        };
      }
      return () => {
        throw new Error(`a reader called store.${method}`);
      };
    },
  });
  return [store, calls];
}

const unused = {} as Store;

describe('createBindingReaders', () => {
  it('asks ExpressPlay once per cookie within one request, and again in the next request', async () => {
    const [client, calls] = fakeExpressPlay();
    const first = createBindingReaders(client, unused);
    await Promise.all([
      first.recordsByCookie.load('a'),
      first.recordsByCookie.load('a'),
      first.recordsByCookie.load('b'),
    ]);
    await first.recordsByCookie.load('a');
    expect(calls.sort()).toEqual(['a', 'b']);
    const second = createBindingReaders(client, unused);
    await second.recordsByCookie.load('a');
    expect(calls).toHaveLength(3);
  });

  it('fails one key without failing its neighbours', async () => {
    const [client] = fakeExpressPlay(new Set(['bad']));
    const readers = createBindingReaders(client, unused);
    const [good, bad] = await Promise.allSettled([
      readers.recordsByCookie.load('good'),
      readers.recordsByCookie.load('bad'),
    ]);
    expect(good.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
  });

  it('reads a binding as stored: no ExpressPlay call and no write, even for a PENDING one', async () => {
    const pending = { id: 'p', status: 'PENDING', cookie: 'c' } as BindingRecord;
    const [client, upstreamCalls] = fakeExpressPlay();
    const [store, storeCalls] = readOnlyStore({ p: pending });
    const readers = createBindingReaders(client, store);
    expect(
      await Promise.all([readers.bindingById.load('p'), readers.bindingById.load('p'), readers.bindingById.load('q')]),
    ).toEqual([pending, pending, null]);
    expect(storeCalls.sort()).toEqual(['getBinding p', 'getBinding q']);
    expect(upstreamCalls).toEqual([]);
  });
});
