import { describe, expect, it } from 'vitest';
import type { BindingService } from '../../../src/bindings/binding-service.js';
import type { ExpressPlayClient, LicenseRecord } from '../../../src/datasources/expressplay/types.js';
import { createLoaders } from '../../../src/server/loaders.js';
import type { Store } from '../../../src/store/types.js';

function fakeExpressPlay(fail: Set<string> = new Set()): [ExpressPlayClient, string[]] {
  const calls: string[] = [];
  return [
    {
      requestToken: async () => ({ licenseUrl: 'x' }),
      async recordsByCookie(cookie) {
        calls.push(cookie);
        if (fail.has(cookie)) throw new Error(`down for ${cookie}`);
        return [{ eventId: 1, time: new Date(), cookie, deviceId: 'd'.repeat(32), drm: 'fp', outcome: 'granted', errorCode: null } satisfies LicenseRecord];
      },
    },
    calls,
  ];
}

const unused = {} as Store;
const unusedBindings = {} as BindingService;

describe('createLoaders', () => {
  it('asks ExpressPlay once per cookie within one request, and again in the next request', async () => {
    const [client, calls] = fakeExpressPlay();
    const first = createLoaders(client, unused, unusedBindings);
    await Promise.all([first.recordsByCookie.load('a'), first.recordsByCookie.load('a'), first.recordsByCookie.load('b')]);
    await first.recordsByCookie.load('a');
    expect(calls.sort()).toEqual(['a', 'b']);
    const second = createLoaders(client, unused, unusedBindings);
    await second.recordsByCookie.load('a');
    expect(calls).toHaveLength(3);
  });

  it('fails one key without failing its neighbours', async () => {
    const [client] = fakeExpressPlay(new Set(['bad']));
    const loaders = createLoaders(client, unused, unusedBindings);
    const [good, bad] = await Promise.allSettled([loaders.recordsByCookie.load('good'), loaders.recordsByCookie.load('bad')]);
    expect(good.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
  });
});
