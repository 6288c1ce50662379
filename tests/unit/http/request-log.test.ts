/** The request log line names the path the client asked for, without its query string. */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { requestLog } from '../../../src/http/request-log.js';

describe('requestLog', () => {
  it('logs the original path of a request answered inside a mounted router', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const app = express();
    app.use(requestLog(createLogger('info', sink)));
    app.use('/graphql', express.json(), (_req, res) => {
      res.json({ data: {} });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await (
        await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      ).text();
      await (await fetch(`${base}/graphql?query=%7B__typename%7D&token=secret`)).text();
      await (await fetch(`${base}/nowhere`)).text();
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines.map(({ method, path, status }) => [method, path, status])).toEqual([
        ['POST', '/graphql', 200],
        ['GET', '/graphql', 200],
        ['GET', '/nowhere', 404],
      ]);
      expect(JSON.stringify(lines)).not.toContain('secret');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
