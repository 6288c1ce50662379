/**
 * Builds and starts the whole service from a Config: store, ExpressPlay client (pointed at the embedded sandbox
 * unless a real ExpressPlay is configured), services, GraphQL and the plain HTTP routes. No side effect on
 * import; tests call startApp with PORT=0 and stop() it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { createRequestMetricsPlugin } from './plugins/request-metrics-plugin.js';
import { createMissingTokenChallengePlugin } from './plugins/missing-token-challenge.js';
import { withBearerChallenge } from './auth/bearer-challenge.js';
import { createAuthenticator } from './auth/viewer.js';
import type { Config } from './config/config.js';
import { resolveSecrets } from './config/dev-secrets.js';
import { createExpressPlayClient } from './datasources/expressplay/client.js';
import type { ExpressPlayClient } from './datasources/expressplay/types.js';
import { createFormatError } from './errors/format-error.js';
import { DEFAULT_QUERY } from './graphiql/default-query.js';
import { createGraphiqlRouter } from './graphiql/graphiql-router.js';
import { createLogger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { startSandbox, type RunningSandbox } from './sandbox/server.js';
import { buildAppSchema } from './graphql/build-schema.js';
import { createErrorLogPlugin } from './plugins/error-log-plugin.js';
import { createHttpServer } from './http/http-server.js';
import { createQueryLimitsPlugin, queryLimitsJudge } from './plugins/query-limits.js';
import { httpErrorHandler, limitBatch } from './http/http-errors.js';
import { createContextFunction, type RequestContext } from './graphql/common/context.js';
import { createGraphqlFastPath, handedOverBody } from './http/graphql-fast-path.js';
import { createRequestGate } from './http/request-gate.js';
import { createRequestLogging, requestLog } from './http/request-log.js';
import { createRoutes } from './http/routes.js';
import { loadManifest, trustedDocumentsJudge } from './http/trusted-documents.js';
import { createDomainServices, type Services } from './services.js';
import { createStore } from './store/create-store.js';
import type { Store } from './store/types.js';
import { DeliveryWorker } from './webhooks/delivery-worker.js';
import { createWebhookSender } from './webhooks/webhook-sender.js';

export interface AppOverrides {
  readonly store?: Store;
  readonly expressplay?: ExpressPlayClient;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** Seed the demo catalog into an empty store (default true). */
  readonly seedDemoCatalog?: boolean;
}

export interface RunningApp {
  /** http://host:port of the service. */
  readonly url: string;
  /** Where the embedded sandbox listens, or null when a real ExpressPlay (or an override) is used. */
  readonly sandbox: RunningSandbox | null;
  readonly services: Services;
  readonly schema: GraphQLSchema;
  /** The HS256 secret in use (the embedded default's, or AUTH_JWT_SECRET); undefined with JWKS. */
  readonly jwtSecret: string | undefined;
  stop(): Promise<void>;
}

export async function startApp(config: Config, overrides: AppOverrides = {}): Promise<RunningApp> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const now = overrides.now ?? (() => new Date());
  const metrics = createMetrics({ served: config.metrics.enabled });
  const secrets = await resolveSecrets(config);
  // Undone in reverse order of making: GraphQL, listener, sandbox, store.
  const cleanups: Array<() => Promise<void>> = [];

  try {
    const store =
      overrides.store ??
      (await createStore({
        databaseUrl: config.database.url,
        dataDir: config.database.dataDir,
        poolSize: config.database.poolSize,
        poolIdleSeconds: config.database.poolIdleSeconds,
        preparedStatements: config.database.preparedStatements,
        contentKeyEncryptionKey: secrets.contentKeyEncryptionKey,
        logger,
      }));
    if (!overrides.store) cleanups.push(() => store.close());

    let sandbox: RunningSandbox | null = null;
    let expressplay = overrides.expressplay;
    if (!expressplay) {
      let upstream = config.expressplay;
      if (config.sandbox) {
        sandbox = await startSandbox({
          port: config.sandbox.port,
          host: config.sandbox.host,
          customerAuthenticators: [config.sandbox.customerAuthenticator],
          faults: config.sandbox.faults,
          recordLogCapacity: config.sandbox.recordLogCapacity,
          noDeviceBinding: config.sandbox.noDeviceBinding,
        });
        cleanups.push(() => sandbox!.close());
        upstream = { ...upstream, tokenBaseUrl: sandbox.url, apiBaseUrl: sandbox.url };
      }
      expressplay = createExpressPlayClient(upstream, {
        logger: logger.child({ component: 'expressplay' }),
        metrics: metrics.expressplay,
      });
    }

    const app = express();
    app.disable('x-powered-by');
    // Express until GraphQL is ready, then the GraphQL fast path first (http/graphql-fast-path.ts).
    let listener: (req: IncomingMessage, res: ServerResponse) => void = app;
    const httpServer = createHttpServer(
      (req, res) => listener(req, res),
      config.http,
      () => metrics.httpConnectionsDropped.inc(),
    );
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => resolve());
    });
    cleanups.push(() => new Promise<void>((resolve) => httpServer.close(() => resolve())));
    const { port } = httpServer.address() as AddressInfo;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    const publicUrl = config.publicUrl ?? `http://localhost:${port}`;

    const domain = createDomainServices({
      config,
      store,
      publicUrl,
      now,
      logger: logger.child({ component: 'webhooks' }),
    });
    const services: Services = {
      config,
      logger,
      metrics,
      store,
      expressplay,
      authenticator: createAuthenticator({ ...config.auth, jwtSecret: secrets.jwtSecret }),
      ...domain,
    };
    if (overrides.seedDemoCatalog ?? true) {
      const seeded = await domain.catalog.seedDemo();
      if (seeded > 0) logger.info({ titles: seeded }, 'seeded the demo catalog');
    }

    if (config.webhooks.workerEnabled) {
      const { timeoutMs, allowPrivateUrls } = config.webhooks;
      const worker = new DeliveryWorker({
        ...config.webhooks,
        store,
        now,
        send: createWebhookSender({ timeoutMs, allowPrivate: allowPrivateUrls }),
        logger: logger.child({ component: 'webhooks' }),
        metrics: metrics.webhookAttempts,
      });
      worker.start();
      // Stopped before the store closes (cleanups run in reverse): nothing of it runs once stop() resolves.
      cleanups.push(() => worker.stop());
    }

    const schema = await buildAppSchema();
    const server = new ApolloServer<RequestContext>({
      schema,
      introspection: config.graphql.introspection,
      includeStacktraceInErrorResponses: false,
      // No "Did you mean ...?" in validation errors in production: with introspection off, suggestions would
      // still spell out the schema's field and type names one guess at a time.
      hideSchemaDetailsFromClientErrors: config.production,
      formatError: createFormatError({ hideSchemaDetails: config.production }),
      allowBatchedHttpRequests: true,
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        ApolloServerPluginLandingPageDisabled(),
        // Apollo installs its cache-control plugin unless told not to; it wraps every field's resolver to compute
        // cache hints this API never sends (every answer is per user), which cost most of a 50-alias query's time.
        ApolloServerPluginCacheControlDisabled(),
        createQueryLimitsPlugin(config.graphql),
        createErrorLogPlugin(logger),
        createMissingTokenChallengePlugin(),
        createRequestMetricsPlugin({ requests: metrics.graphqlRequests, duration: metrics.graphqlRequestDuration }),
      ],
    });
    await server.start();
    cleanups.push(() => server.stop());

    const contextFunction = createContextFunction(services);
    /** A GraphQL request's context, whichever way it came (Express or the fast path). */
    const contextOf = (req: IncomingMessage, requestId: string, log: () => Logger) =>
      withBearerChallenge(() =>
        contextFunction({ authorization: req.headers.authorization, requestId, log, httpRequest: req }),
      );
    const logging = createRequestLogging(logger);
    app.use(requestLog(logging));
    const trusted = trustedDocumentsJudge({
      mode: config.graphql.trustedDocuments,
      manifest: config.graphql.trustedDocuments === 'off' ? {} : await loadManifest(),
    });
    // Before Apollo, which validates a document before any plugin may refuse it (see query-limits.ts).
    const limits = queryLimitsJudge(config.graphql, schema);
    const graphql = [
      handedOverBody,
      express.json({ limit: config.graphql.bodyLimitBytes }),
      createRequestGate(trusted),
      limitBatch(config.graphql.maxBatch),
      createRequestGate(limits),
      expressMiddleware(server, { context: ({ req }) => contextOf(req, req.id, () => req.log) }),
    ];
    // POST /graphql, nearly every request, first: no other route's matching runs for it. GET /graphql may be a
    // browser asking for GraphiQL, so the other methods go after its router.
    app.post('/graphql', ...graphql);
    if (config.graphql.graphiql) app.use(createGraphiqlRouter({ endpoint: '/graphql', defaultQuery: DEFAULT_QUERY }));
    app.use('/graphql', ...graphql);
    app.use(createRoutes({ store, registry: metrics.registry, metrics: config.metrics }));

    app.use(httpErrorHandler(logger));

    const fastPath = createGraphqlFastPath({
      server,
      context: (req, identity) => contextOf(req, identity.id, identity.log),
      judges: [trusted, limits],
      bodyLimitBytes: config.graphql.bodyLimitBytes,
      logging,
      handOver: app,
    });
    listener = (req, res) => {
      if (!fastPath(req, res)) app(req, res);
    };

    return {
      url,
      sandbox,
      services,
      schema,
      jwtSecret: secrets.jwtSecret,
      async stop() {
        for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    throw error;
  }
}
