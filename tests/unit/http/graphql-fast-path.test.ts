/** What the GraphQL fast path takes, and that it hands everything odd to Express instead of failing itself. */
import { PassThrough } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { createGraphqlFastPath } from '../../../src/http/graphql-fast-path.js';
import type { Judge } from '../../../src/http/request-gate.js';

function request(body: string, headers: Record<string, string> = {}): IncomingMessage {
  const stream = new PassThrough() as unknown as IncomingMessage & PassThrough;
  Object.assign(stream, {
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
  });
  setImmediate(() => stream.end(body));
  return stream;
}

function fastPath(judges: Judge[]) {
  const handedOver: IncomingMessage[] = [];
  const executed: unknown[] = [];
  const server = {
    executeHTTPGraphQLRequest: async ({ httpGraphQLRequest }: { httpGraphQLRequest: { body: unknown } }) => {
      executed.push(httpGraphQLRequest.body);
      return { status: 200, headers: new Map(), body: { kind: 'complete', string: '{}' } };
    },
  } as unknown as ApolloServer<BaseContext>;
  const take = createGraphqlFastPath({
    server,
    context: async () => ({}),
    judges,
    bodyLimitBytes: 1000,
    logging: () => ({ id: 'r-1', log: () => undefined as never }),
    handOver: (req) => handedOver.push(req),
  });
  return { take, handedOver, executed };
}

const res = () => ({ setHeader: () => undefined, end: () => undefined }) as unknown as ServerResponse;
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('GraphQL fast path', () => {
  it('leaves to Express what it does not take whole: other media types, encodings, lengths and paths', () => {
    const { take } = fastPath([]);
    const body = '{"query":"{ __typename }"}';
    expect(take(request(body), res())).toBe(true);
    expect(take(request(body, { 'content-type': 'application/json; charset=latin1' }), res())).toBe(false);
    expect(take(request(body, { 'content-type': 'text/plain' }), res())).toBe(false);
    expect(take(request(body, { 'content-encoding': 'gzip' }), res())).toBe(false);
    expect(take(request('x'.repeat(1001)), res())).toBe(false);
    const other = request(body);
    other.url = '/graphql?x=1';
    expect(take(other, res())).toBe(false);
  });

  it('hands a request to Express when a judge refuses it or throws, instead of failing in an event handler', async () => {
    const refuse: Judge = () => ({ ok: false, status: 400, error: { message: 'no', extensions: { code: 'X' } } });
    const thrower: Judge = () => {
      throw new Error('judge failed');
    };
    for (const judge of [refuse, thrower]) {
      const { take, handedOver, executed } = fastPath([judge]);
      const req = request('{"query":"{ __typename }"}');
      take(req, res());
      await settle();
      expect(handedOver).toEqual([req]);
      expect(executed).toEqual([]);
      expect((req as unknown as { body: unknown }).body).toEqual({ query: '{ __typename }' });
    }
  });

  it('passes what the judges made of the request to Apollo', async () => {
    const rewrite: Judge = () => ({ ok: true, request: { query: '{ rewritten }' } });
    const { take, handedOver, executed } = fastPath([rewrite]);
    take(request('{"documentId":"sha256:abc"}'), res());
    await settle();
    expect(handedOver).toEqual([]);
    expect(executed).toEqual([{ query: '{ rewritten }' }]);
  });
});
