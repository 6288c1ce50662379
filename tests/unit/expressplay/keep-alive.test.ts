/** ExpressPlay calls reuse kept-alive connections: a token request costs one round trip, not a handshake first. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { createExpressPlayHttp } from '../../../src/datasources/expressplay/http.js';
import { testConfig } from './support.js';

it('sends sequential calls over one kept-alive connection, through its own bounded agents', async () => {
  let connections = 0;
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/uri-list');
    res.end('https://license.test/\r\n');
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const http = createExpressPlayHttp(testConfig(url));
    const agents = http.defaults.options.agent as { http?: { keepAlive?: boolean; maxSockets?: number } };
    expect(agents.http).toMatchObject({ keepAlive: true, maxSockets: 256 });
    for (let i = 0; i < 5; i++) expect(await http.get(`${url}/hms/wv/token`).text()).toContain('license.test');
    expect(connections).toBe(1);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
