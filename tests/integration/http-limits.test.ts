/**
 * The listener bounds what slow or many clients can hold, over real sockets: connections past
 * HTTP_MAX_CONNECTIONS are closed while the cap holds, and a body (or headers) trickled in slower than
 * HTTP_REQUEST_TIMEOUT_MS (HTTP_HEADERS_TIMEOUT_MS) is cut off.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await app?.stop();
  app = undefined;
});

/** A raw connection that records what it receives and when it closes. */
async function connect(url: string): Promise<{ socket: net.Socket; received: () => string; closed: Promise<number> }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  sockets.push(socket);
  let data = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (data += chunk));
  socket.on('error', () => undefined); // a reset from the server is one of the outcomes under test
  const started = Date.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => data, closed };
}

const HEALTH = 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends a keep-alive GET /healthz and waits for its answer; the connection stays open. */
async function healthOn(conn: Awaited<ReturnType<typeof connect>>): Promise<void> {
  const before = conn.received().length;
  conn.socket.write(HEALTH);
  const deadline = Date.now() + 10_000;
  while (!/"status":"ok"/.test(conn.received().slice(before))) {
    if (Date.now() > deadline || conn.socket.destroyed) throw new Error(`no answer: ${conn.received()}`);
    await sleep(10);
  }
}

describe('HTTP connection cap', () => {
  it('closes connections past HTTP_MAX_CONNECTIONS while the ones it holds keep working', async () => {
    app = await startTestApp({ HTTP_MAX_CONNECTIONS: '5' });
    const held = [];
    for (let i = 0; i < 5; i++) {
      const conn = await connect(app.url);
      await healthOn(conn);
      held.push(conn);
    }
    for (let i = 0; i < 3; i++) {
      const extra = await connect(app.url);
      extra.socket.write(HEALTH);
      // Closed by the server at once; without a cap it would answer and stay open for the keep-alive time.
      const closedAfter = await Promise.race([extra.closed, sleep(3000).then(() => Infinity)]);
      expect(closedAfter).toBeLessThan(3000);
      expect(extra.received()).toBe('');
    }
    for (const conn of held) await healthOn(conn);
    // A freed slot is taken again.
    held[0].socket.destroy();
    await held[0].closed;
    await sleep(100);
    await healthOn(await connect(app.url));
    for (const conn of held) conn.socket.destroy();
    await Promise.all(held.map((conn) => conn.closed));
    await sleep(100);
    expect(await (await fetch(`${app.url}/metrics`)).text()).toMatch(/^http_connections_dropped_total 3$/m);
  });
});

describe('HTTP request deadlines', () => {
  it('cuts off a body trickled in slower than HTTP_REQUEST_TIMEOUT_MS, and headers slower than HTTP_HEADERS_TIMEOUT_MS', async () => {
    app = await startTestApp({ HTTP_HEADERS_TIMEOUT_MS: '300', HTTP_REQUEST_TIMEOUT_MS: '300' });
    const body = await connect(app.url);
    body.socket.write(
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 98000\r\n\r\n{"query":"',
    );
    const headers = await connect(app.url);
    headers.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => {
      if (!body.socket.destroyed) body.socket.write('a'.repeat(100));
      if (!headers.socket.destroyed) headers.socket.write('X-Slow: 1\r\n');
    }, 50);
    try {
      // Without deadlines (Node's defaults: 300 s for the request) both would still be open after 5 s.
      const [bodyClosed, headersClosed] = await Promise.all(
        [body, headers].map((c) => Promise.race([c.closed, sleep(5000).then(() => Infinity)])),
      );
      expect(bodyClosed).toBeLessThan(5000);
      expect(headersClosed).toBeLessThan(5000);
      expect(body.received()).not.toMatch(/^HTTP\/1\.1 200/);
      expect(headers.received()).not.toMatch(/^HTTP\/1\.1 200/);
    } finally {
      clearInterval(trickle);
    }
    // A prompt client is served as before.
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });
});
