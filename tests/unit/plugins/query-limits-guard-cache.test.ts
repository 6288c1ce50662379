/** The query-limits guard parses and measures a document text once, not on every request that sends it again. */
import type { NextFunction, Request, Response } from 'express';
import { buildSchema } from 'graphql';
import { expect, it, vi } from 'vitest';
import { createRequestGate } from '../../../src/http/request-gate.js';
import { queryLimitsJudge } from '../../../src/plugins/query-limits.js';

const LIMITS = { maxDepth: 8, maxAliases: 60, maxCost: 1000 };

it('judges a repeated document from memory: the schema is not consulted again, and the verdict is the same', () => {
  let reads = 0;
  const real = buildSchema('type Query { a: Int, b: Query }');
  const schema = new Proxy(real, {
    get(target, key, receiver) {
      reads += 1;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const guard = createRequestGate(queryLimitsJudge(LIMITS, schema));
  const send = (query: string) => {
    const next = vi.fn() as unknown as NextFunction;
    const res = { setHeader: vi.fn(), status: vi.fn(), type: vi.fn(), send: vi.fn(), json: vi.fn() };
    res.status.mockReturnValue(res);
    res.type.mockReturnValue(res);
    const req = { method: 'POST', body: { query }, get: () => undefined, accepts: () => 'application/json' };
    guard(req as unknown as Request, res as unknown as Response, next);
    return { passed: (next as unknown as { mock: { calls: unknown[] } }).mock.calls.length === 1 };
  };
  const deep = `{ ${'b { '.repeat(10)}a${' }'.repeat(10)} }`;
  expect(send('{ a b { a } }').passed).toBe(true);
  expect(send(deep).passed).toBe(false);
  const afterFirst = reads;
  expect(afterFirst).toBeGreaterThan(0);
  for (let i = 0; i < 5; i++) {
    expect(send('{ a b { a } }').passed).toBe(true);
    expect(send(deep).passed).toBe(false);
  }
  expect(reads).toBe(afterFirst);
});
