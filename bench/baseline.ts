/**
 * The baseline: a bare Apollo Server 5 hello world on the same HTTP stack as the service (express 5,
 * `express.json()`, `@as-integrations/express5`), so that a ratio against it measures what the service itself adds
 * (authentication, context and loaders, resolvers, the database, ExpressPlay calls), not the framework.
 *
 * It also does the per-request work a production service does whatever it serves: one pino line per request
 * (the service's own logger factory, at the same LOG_LEVEL, to the same kind of asynchronous file destination),
 * with method, path, status and duration. What it leaves out, on purpose, is what the service adds: a request id
 * and its header, the trusted-documents, batch and query-limit middleware, Apollo plugins (metrics, error log),
 * authentication and everything behind the resolvers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { pino } from 'pino';
import { createLogger } from '../src/observability/logger.js';
import { announceAndWait, memory, memoryAfterGc, serveControl } from './lib/child-main.js';

const destination = pino.destination({ dest: process.env.BENCH_LOG_FILE ?? '/dev/null', sync: false });
const logger = createLogger(process.env.LOG_LEVEL ?? 'info', destination);

const app = express();
app.disable('x-powered-by');
app.use((req, res, next) => {
  const started = process.hrtime.bigint();
  const path = req.originalUrl.split('?', 1)[0];
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    logger.info({ method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
  });
  next();
});
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
const control = await serveControl({ '/bench/stats': () => memory(), '/bench/gc': () => memoryAfterGc() });

announceAndWait({ url: `http://127.0.0.1:${port}`, control: control.url }, async () => {
  control.server.close();
  await server.stop();
  try {
    destination.flushSync();
  } catch {
    // The file never opened: nothing to flush.
  }
});
