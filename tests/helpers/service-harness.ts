/**
 * The service tier's set-up: the app's services as app.ts wires them, over a PGlite copied from the migrated
 * template, with an in-process fake ExpressPlay and a clock the test moves. `scope(userId)` is what one HTTP request
 * would get (graphql/context.ts), and `execute` runs an operation through Apollo's `executeOperation` with that
 * context: resolvers are tested without a listener, a sandbox or JSON over a socket.
 */
import { randomBytes } from 'node:crypto';
import { ApolloServer, type GraphQLResponse } from '@apollo/server';
import type { Viewer } from '../../src/auth/viewer.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { formatError } from '../../src/errors/format-error.js';
import { buildAppSchema } from '../../src/graphql/build-schema.js';
import { createContextFunction, type RequestContext } from '../../src/graphql/common/context.js';
import { createLogger } from '../../src/observability/logger.js';
import { createDomainServices, type DomainServices } from '../../src/services.js';
import type { Store } from '../../src/store/types.js';
import { createFakeExpressPlayClient, type FakeExpressPlayClient } from './fake-expressplay-client.js';
import { createTestDatabase, type TestStoreBackend } from './test-store.js';

export interface ServiceHarness {
  readonly config: Config;
  readonly store: Store;
  readonly expressplay: FakeExpressPlayClient;
  readonly bindings: DomainServices['bindings'];
  readonly entitlements: DomainServices['entitlements'];
  readonly catalog: DomainServices['catalog'];
  /** Raw SQL on the store's database, behind the store's back (its change feed hears nothing of it). */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** The harness's clock: `now()` is what the services see; `advance` moves it. */
  now(): Date;
  advance(seconds: number): void;
  viewer(userId: string, isAdmin?: boolean): Viewer;
  /** A fresh request's context for `userId` (null: no token), as the app would make it. */
  context(userId: string | null, options?: { admin?: boolean }): Promise<RequestContext>;
  /** One operation through Apollo Server with a fresh request context; `errors` carry the formatted errors. */
  execute<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { userId?: string | null; admin?: boolean; context?: RequestContext },
  ): Promise<{ data?: T | null; errors?: GraphQLFormattedErrorLike[] }>;
  close(): Promise<void>;
}

export interface GraphQLFormattedErrorLike {
  readonly message: string;
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions?: { code?: string; field?: string; [k: string]: unknown };
}

const T0 = new Date('2030-01-01T00:00:00.000Z');

/** Built once per file: a schema holds no state, and building one takes a while. */
let schema: ReturnType<typeof buildAppSchema> | undefined;
const appSchema = () => (schema ??= buildAppSchema());

/**
 * `env` adds or overrides configuration variables, as in startTestApp; the clock starts at 2030-01-01. The store is
 * PGlite unless `backend` says otherwise.
 */
export async function createServiceHarness(
  env: Record<string, string> = {},
  backend: TestStoreBackend = 'pglite',
): Promise<ServiceHarness> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
    CONTENT_KEY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    DEVICE_SWAP_COOLDOWN: '0',
    RATE_LIMIT_PER_MINUTE: '1000',
    UPSTREAM_CALLS_PER_MINUTE: '100000',
    ...env,
  });
  let clock = T0.getTime();
  const now = () => new Date(clock);
  const database = await createTestDatabase(backend);
  const store = await database.openStore();
  const expressplay = createFakeExpressPlayClient(now);
  // The app's own wiring, over a fake ExpressPlay and a test clock.
  const domain = createDomainServices({ config, store, publicUrl: 'http://service.test', now });
  const { bindings, entitlements, catalog } = domain;
  const viewer = (userId: string, isAdmin = false): Viewer => ({ userId, isAdmin });
  // "Bearer <user>" or "Bearer admin:<user>": the harness's own tokens; JWTs are the HTTP tier's business.
  const makeContext = createContextFunction({
    authenticator: {
      viewerFrom: (authorization) => {
        if (authorization === undefined) return Promise.resolve(null);
        const subject = authorization.replace(/^Bearer /, '');
        const admin = subject.startsWith('admin:');
        return Promise.resolve(viewer(admin ? subject.slice('admin:'.length) : subject, admin));
      },
    },
    store,
    expressplay,
    config,
    ...domain,
  });
  const log = createLogger('silent');
  const context = (userId: string | null, options: { admin?: boolean } = {}) =>
    makeContext({
      authorization: userId === null ? undefined : `Bearer ${options.admin ? 'admin:' : ''}${userId}`,
      requestId: 'test-request',
      log: () => log,
      httpRequest: {},
    });

  // Started on the first execute: most service tests never need it.
  let server: Promise<ApolloServer<RequestContext>> | undefined;
  const apollo = () =>
    (server ??= (async () => {
      const started = new ApolloServer<RequestContext>({
        schema: await appSchema(),
        includeStacktraceInErrorResponses: false,
        formatError,
      });
      await started.start();
      return started;
    })());

  return {
    config,
    store,
    expressplay,
    bindings,
    entitlements,
    catalog,
    sql: (text, params) => database.query(text, params),
    now,
    advance(seconds) {
      clock += seconds * 1000;
    },
    viewer,
    context,
    async execute<T>(
      query: string,
      variables: Record<string, unknown> = {},
      options: { userId?: string | null; admin?: boolean; context?: RequestContext } = {},
    ) {
      const contextValue = options.context ?? (await context(options.userId ?? null, { admin: options.admin }));
      const response: GraphQLResponse<T & Record<string, unknown>> = await (
        await apollo()
      ).executeOperation<T & Record<string, unknown>>({ query, variables }, { contextValue });
      if (response.body.kind !== 'single') throw new Error('an incremental response was not expected');
      const { data, errors } = response.body.singleResult;
      return { data: data as T | null | undefined, errors: errors as GraphQLFormattedErrorLike[] | undefined };
    },
    async close() {
      if (server) await (await server).stop();
      await store.close();
      await database.dispose();
    },
  };
}
