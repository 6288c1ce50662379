import http from 'node:http';
import type { HttpServerConfig } from '../config/config.js';

/**
 * The service's HTTP listener, bounded against slow and many clients (see HttpServerConfig): connections past
 * the cap are closed on accept, and a request whose headers or body are not in by their deadline gets a 408 and
 * its connection closed, freeing whatever body it had sent so far.
 */
export function createHttpServer(
  handler: http.RequestListener,
  limits: HttpServerConfig,
  onDrop: () => void = () => undefined,
): http.Server {
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks those deadlines only this often (30 s by default), so a short deadline needs a short period.
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4))),
    },
    handler,
  );
  server.maxConnections = limits.maxConnections;
  // Counted, not logged: a flood would otherwise write a log line per refused connection.
  server.on('drop', onDrop);
  return server;
}
