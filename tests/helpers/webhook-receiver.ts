/**
 * A real local webhook receiver on port 0: it records every request it gets (headers and body) and answers as the
 * test says: 2xx, 500, a reset connection, a redirect, or never (a hung receiver).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedWebhook {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly attempt: number;
  readonly body: string;
  /** What the receiver answered (0: it reset the connection or never answered). */
  readonly answered: number;
}

export type ReceiverMode = 'ok' | 'fail' | 'reset' | 'hang' | 'redirect' | 'chatty';

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** How the next requests are answered; or a function deciding per request. */
  answer(mode: ReceiverMode | ((request: number) => ReceiverMode)): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(initial: ReceiverMode = 'ok'): Promise<WebhookReceiver> {
  let decide: (request: number) => ReceiverMode = () => initial;
  const received: ReceivedWebhook[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const mode = decide(received.length + 1);
      const status = { ok: 204, fail: 500, chatty: 500, redirect: 302, reset: 0, hang: 0 }[mode];
      received.push({
        id: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        attempt: Number(req.headers['webhook-attempt']),
        body: Buffer.concat(chunks).toString('utf8'),
        answered: status,
      });
      if (mode === 'hang') return;
      if (mode === 'reset') return req.socket.destroy();
      if (mode === 'redirect') return res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
      if (mode === 'chatty') {
        return res.writeHead(500).end(`{"password": "hunter2"} ${'x'.repeat(100_000)}`);
      }
      res.writeHead(status).end();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    answer(mode) {
      decide = typeof mode === 'function' ? mode : () => mode;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
