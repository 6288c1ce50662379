import 'reflect-metadata';
import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { StoreStartupError } from './store/startup-errors.js';

try {
  const config = loadConfig(process.env);
  const app = await startApp(config);
  const upstream = app.sandbox ? `embedded sandbox at ${app.sandbox.url}` : config.expressplay.tokenBaseUrl;
  app.services.logger.info({ url: app.url, upstream }, 'entitlement API started');
  process.stdout.write(
    [
      '',
      `  GraphQL     POST ${app.url}/graphql`,
      ...(config.graphql.graphiql ? [`  GraphiQL    ${app.url}/graphiql`] : []),
      `  Health      ${app.url}/healthz    Metrics ${app.url}/metrics`,
      `  ExpressPlay ${upstream}`,
      `  Database    ${config.database.url ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.database.dataDir}`}`,
      '  Token       npm run token -- <user> [--admin]',
      '',
    ].join('\n') + '\n',
  );
  const shutdown = async (signal: string) => {
    app.services.logger.info({ signal }, 'shutting down');
    await app.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  // The database cannot be opened as configured (data directory locked or damaged, wrong encryption key): the
  // message says what to do, and a stack trace would only bury it.
  if (error instanceof StoreStartupError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(error.exitCode);
  }
  const { code, port } = error as { code?: string; port?: number };
  if (code === 'EADDRINUSE') {
    process.stderr.write(`Port ${port} is already in use: stop what holds it, or set PORT / SANDBOX_PORT.\n`);
    process.exit(1);
  }
  throw error;
}
