/**
 * The request log line names the path the client asked for, without its query string, and costs no child logger and
 * no UUID unless the request logs something of its own.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { createRequestLogging, requestLog } from '../../../src/http/request-log.js';

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
    app.use(requestLog(createRequestLogging(createLogger('info', sink))));
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

  it('makes a child logger only for a request that logs, and ids from a counter; every line keeps the request id', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger('info', sink);
    const child = vi.spyOn(logger, 'child');
    const app = express();
    app.use(requestLog(createRequestLogging(logger)));
    app.get('/quiet', (_req, res) => {
      res.send('ok');
    });
    app.get('/chatty', (req, res) => {
      req.log.warn('something to say');
      res.send('ok');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await fetch(`${base}/quiet`)).headers.get('x-request-id')!);
      expect(child).not.toHaveBeenCalled();
      const chatty = (await fetch(`${base}/chatty`)).headers.get('x-request-id')!;
      expect(child).toHaveBeenCalledTimes(1);
      await new Promise((resolve) => setImmediate(resolve));
      // One process prefix, then a counter: distinct, and nothing like a UUID's cost.
      expect(new Set([...ids, chatty]).size).toBe(4);
      expect(ids[0].split('-')[0]).toBe(ids[1].split('-')[0]);
      expect(lines.filter((l) => l.msg === 'request').map((l) => l.requestId)).toEqual([...ids, chatty]);
      expect(lines.find((l) => l.msg === 'something to say')?.requestId).toBe(chatty);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
