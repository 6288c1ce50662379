/**
 * The request context builds its per-request parts (budget, loaders, scopes) only when a resolver first reaches for
 * them, and once per HTTP request however many operations of a batch do.
 */
import { expect, it, vi } from 'vitest';
import { createContextFunction, type ContextDeps } from '../../../src/graphql/common/context.js';
import type { Logger } from '../../../src/observability/logger.js';

function deps() {
  const forRequest = {
    bindings: vi.fn(() => ({ kind: 'bindings' })),
    entitlements: vi.fn(() => ({ kind: 'entitlements' })),
    catalog: vi.fn(() => ({ kind: 'catalog' })),
  };
  const made = {
    authenticator: { viewerFrom: () => Promise.resolve({ userId: 'u', isAdmin: false }) },
    store: {},
    expressplay: {},
    rateLimiter: {},
    config: { policy: { upstreamCallsPerRequest: 20, upstreamCallsPerMinute: 120 } },
    bindings: { forRequest: forRequest.bindings },
    entitlements: { forRequest: forRequest.entitlements },
    catalog: { forRequest: forRequest.catalog },
    events: {},
  } as unknown as ContextDeps;
  return { made, forRequest };
}

it('makes no per-request scope for a request that never uses one, and one for a batch that does', async () => {
  const { made, forRequest } = deps();
  const context = createContextFunction(made);
  const log = vi.fn(() => ({}) as Logger);
  const quiet = await context({ authorization: 'Bearer x', requestId: 'r1', log, httpRequest: {} });
  expect(quiet.viewer).toEqual({ userId: 'u', isAdmin: false });
  expect(quiet.requestId).toBe('r1');
  expect(forRequest.bindings).not.toHaveBeenCalled();
  expect(forRequest.catalog).not.toHaveBeenCalled();
  expect(log).not.toHaveBeenCalled();
  // Apollo Server copies the context for each operation like this: the copy is as lazy.
  const blank: typeof quiet = Object.create(Object.getPrototypeOf(quiet) as object) as typeof quiet;
  const copy = Object.assign(blank, quiet);
  expect(copy.viewer).toEqual({ userId: 'u', isAdmin: false });
  expect(forRequest.bindings).not.toHaveBeenCalled();
  expect(log).not.toHaveBeenCalled();

  const request = {};
  const [first, second] = [
    await context({ authorization: 'Bearer x', requestId: 'r2', log, httpRequest: request }),
    await context({ authorization: 'Bearer x', requestId: 'r2', log, httpRequest: request }),
  ];
  expect(first.catalog).toBe(second.catalog);
  expect(first.entitlements).toBe(second.entitlements);
  expect(forRequest.bindings).toHaveBeenCalledTimes(1);
  expect(forRequest.catalog).toHaveBeenCalledTimes(1);
});
