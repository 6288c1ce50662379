/**
 * What every benchmark child process shares: a tiny JSON control server on a loopback port of its own (so that
 * the parent's polling never shares a listener with the traffic being measured), one ready line on stdout, and a
 * clean exit when the parent says so, or when the parent is gone (its end of stdin closes).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ControlRoutes = Record<string, (query: URLSearchParams) => unknown>;

export async function serveControl(routes: ControlRoutes): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://control.invalid');
    const route = routes[url.pathname];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    Promise.resolve()
      .then(() => route(url.searchParams))
      .then(
        (value) => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value ?? null));
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
        },
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

/** Prints the ready line and arranges the shutdown; `stop` runs once, then the process exits. */
export function announceAndWait(ready: Record<string, unknown>, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (code: number): void => {
    if (stopping) return;
    stopping = true;
    // A stop that hangs must not keep the child alive after the benchmark.
    setTimeout(() => process.exit(code), 5000).unref();
    stop().then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown(0));
  process.once('SIGINT', () => shutdown(0));
  process.stdin.on('end', () => shutdown(0));
  process.stdin.on('error', () => shutdown(0));
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ ready: true, ...ready })}\n`);
}

/**
 * Memory after a full collection: the child runs with --expose-gc (the bench starts it so), and this is the
 * bench-only hook the parent calls at fixed request counts, so that samples compare live data, not where the
 * sawtooth of allocation happened to be.
 */
export function memoryAfterGc(): ReturnType<typeof memory> & { collected: boolean } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    // Twice: the first pass may only queue finalizers whose memory the second frees.
    gc();
    gc();
  }
  return { ...memory(), collected: gc !== undefined };
}

/** Resident set size and heap, in bytes. */
export function memory(): { rss: number; heapUsed: number; heapTotal: number; external: number } {
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external };
}
