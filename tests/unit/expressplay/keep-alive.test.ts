/**
 * ExpressPlay calls reuse kept-alive connections (a token request costs one round trip, not a handshake first), with
 * each call's headers as the services expect them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { createExpressPlayClient } from '../../../src/datasources/expressplay/client.js';
import { createExpressPlayHttp } from '../../../src/datasources/expressplay/http.js';
import { COOKIE, fpBuy, testConfig } from './support.js';

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

it('asks each service for the media type it answers in, and sends the form as a form', async () => {
  const seen: Array<{ path: string; accept?: string; type?: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({
        path: (req.url ?? '').split('?')[0],
        accept: req.headers.accept,
        type: req.headers['content-type'],
        body,
      });
      if (req.url?.startsWith('/hms/pr/')) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ licenseAcquisitionUrl: 'https://pr.test/rightsmanager.asmx', token: 'tok' }));
      } else if (req.url?.startsWith('/cmiapi/getrecord')) {
        res.setHeader('content-type', 'application/json');
        res.end('[]');
      } else {
        res.setHeader('content-type', 'text/uri-list');
        res.end('https://license.test/?ExpressPlayToken=x\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = createExpressPlayClient({ ...testConfig(url), tokenBaseUrl: url });
    await client.requestToken(fpBuy).catch(() => undefined);
    await client.requestToken({ ...fpBuy, drm: 'pr' }).catch(() => undefined);
    await client.recordsByCookie(COOKIE).catch(() => undefined);
    const form = 'application/x-www-form-urlencoded';
    expect(seen.map(({ body: _body, ...rest }) => rest)).toEqual([
      { path: '/hms/fp/token', accept: 'text/uri-list', type: form },
      { path: '/hms/pr/token', accept: 'application/json', type: form },
      { path: '/cmiapi/getrecord/', accept: 'application/json', type: undefined },
    ]);
    expect(new URLSearchParams(seen[0].body).get('contentKey')).toBe(fpBuy.contentKey);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
