/**
 * The query-limits plugin on its own (as for callers that bypass HTTP and its guard): it fails closed when the
 * cost cannot be estimated, and leaves bad variables to execution, which reports them as BAD_USER_INPUT.
 */
import { ApolloServer } from '@apollo/server';
import { GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryLimitsPlugin } from '../../../src/plugins/query-limits.js';
import { fanOut } from '../../helpers/hostile-documents.js';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      hello: { type: GraphQLString, resolve: () => 'hi' },
      echo: {
        type: GraphQLString,
        args: { id: { type: new GraphQLNonNull(GraphQLID) } },
        resolve: (_, args: { id: string }) => args.id,
      },
      // An estimator that throws, as graphql-query-complexity does when it gives up counting.
      broken: {
        type: GraphQLString,
        resolve: () => 'ran',
        extensions: {
          complexity: () => {
            throw new Error('cannot estimate');
          },
        },
      },
    },
  }),
});

let server: ApolloServer;
beforeAll(async () => {
  server = new ApolloServer({
    schema,
    plugins: [createQueryLimitsPlugin({ maxDepth: 8, maxAliases: 60, maxCost: 1000 })],
  });
  await server.start();
});
afterAll(async () => {
  await server?.stop();
});

async function run(query: string, variables?: Record<string, unknown>) {
  const response = await server.executeOperation({ query, variables });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return { status: response.http.status, ...response.body.singleResult };
}

describe('query limits plugin', () => {
  it('runs what is within the limits', async () => {
    expect((await run('{ hello }')).data).toEqual({ hello: 'hi' });
  });

  it('refuses an operation whose cost cannot be estimated', async () => {
    const r = await run('{ hello broken }');
    expect(r.data).toBeUndefined();
    expect(r.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors![0].message).toMatch(/cost could not be estimated/);
    expect(r.status).toBe(400);
  });

  it('leaves bad variables to execution: BAD_USER_INPUT, not a refusal', async () => {
    const r = await run('query($id: ID!) { echo(id: $id) }', { id: { not: 'an id' } });
    expect(r.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect((await run('query($id: ID!) { echo(id: $id) }', { id: '7' })).data).toEqual({ echo: '7' });
  });

  it('refuses a fragment fan-out without the HTTP guard in front of it', async () => {
    const r = await run(fanOut(20));
    expect(r.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors![0].message).toMatch(/estimated cost is at least 1048576/);
  });
});
