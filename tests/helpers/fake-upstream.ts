/**
 * A fake ExpressPlay: a real `node:http` server on 127.0.0.1, port 0, that answers through a handler and records
 * every request it receives (retries included), so tests can assert on what actually reached the upstream.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Parsed `application/x-www-form-urlencoded` body (empty for other bodies). */
  readonly form: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

export interface RecordedCall extends FakeRequest {
  /** The request target exactly as sent (path and query): what would land in an access log. */
  readonly url: string;
  readonly body: string;
}

export interface FakeResponse {
  readonly status: number;
  readonly contentType?: string;
  readonly body: string;
  /** Wait this long before answering (for timeouts). */
  readonly delayMs?: number;
  /** Drop the connection without answering. */
  readonly destroy?: boolean;
}

export type FakeHandler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeExpressPlay {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly calls: RecordedCall[];
  close(): Promise<void>;
}

export async function startFakeExpressPlay(handler: FakeHandler): Promise<FakeExpressPlay> {
  const calls: RecordedCall[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const rawUrl = req.url ?? '/';
        const parsed = new URL(rawUrl, 'http://fake.invalid');
        const body = Buffer.concat(chunks).toString('utf8');
        const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
        const request: FakeRequest = {
          method: req.method ?? 'GET',
          path: parsed.pathname,
          query: parsed.searchParams,
          form: new URLSearchParams(isForm ? body : ''),
          headers: req.headers,
        };
        calls.push({ ...request, url: rawUrl, body });

        let response: FakeResponse;
        try {
          response = await handler(request);
        } catch (error) {
          response = { status: 500, contentType: 'text/plain', body: `fake handler threw: ${String(error)}` };
        }
        const answer = (): void => {
          if (response.destroy) {
            req.socket.destroy();
            return;
          }
          if (res.destroyed) return;
          res.writeHead(response.status, { 'content-type': response.contentType ?? 'text/plain' });
          res.end(response.body);
        };
        if (response.delayMs !== undefined && response.delayMs > 0) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            answer();
          }, response.delayMs);
          timers.add(timer);
        } else {
          answer();
        }
      })();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
