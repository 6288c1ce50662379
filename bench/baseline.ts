/**
 * The baseline: a bare Apollo Server 5 hello world on the same HTTP stack as the service (express 5,
 * `express.json()`, `@as-integrations/express5`), so that a ratio against it measures what the service itself adds
 * (authentication, context and loaders, resolvers, the database, ExpressPlay calls, logging), not the framework.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { announceAndWait, memory, serveControl } from './lib/child-main.js';

const app = express();
app.disable('x-powered-by');
const httpServer = http.createServer(app);
const server = new ApolloServer({
  typeDefs: 'type Query { hello: String }',
  resolvers: { Query: { hello: () => 'world' } },
  plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled()],
});
await server.start();
app.use('/graphql', express.json(), expressMiddleware(server));
await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve()));
const { port } = httpServer.address() as AddressInfo;
const control = await serveControl({ '/bench/stats': () => memory() });

announceAndWait({ url: `http://127.0.0.1:${port}`, control: control.url }, async () => {
  control.server.close();
  await server.stop();
});
