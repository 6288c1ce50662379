/**
 * What one ExpressPlay call costs the service's CPU, by HTTP client: the service's own client (got, breaker, parse),
 * got as the service configures it, and `node:http` on the same keep-alive agent settings, each making record
 * retrievals against a server in another process that answers after a fixed latency, 10 at a time (the bench's
 * pending lookups). A floor row does only the waiting (timers), for what any client costs on top of it.
 *
 *   npx tsx bench/http-client.ts [--calls 4000] [--rounds 3] [--latency 20] [--concurrency 10]
 *
 * CPU is this process's (user + system) over the calls of a round, after a warm-up; rounds alternate the clients.
 */
import { fork } from 'node:child_process';
import { Agent, get } from 'node:http';
import { parseArgs } from 'node:util';
import { createExpressPlayClient } from '../src/datasources/expressplay/client.js';
import type { ExpressPlayConfig } from '../src/datasources/expressplay/config.js';
import { createExpressPlayHttp, KEEP_ALIVE } from '../src/datasources/expressplay/http.js';
import { getrecordQuery, getrecordUrl, parseRecords } from '../src/datasources/expressplay/wire.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '4000' },
    rounds: { type: 'string', default: '3' },
    latency: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '10' },
    serve: { type: 'string' },
  },
});

// The child: answers every request after the latency with an empty record list, as getrecord does for a cookie no
// device has played.
if (values.serve !== undefined) {
  const { createServer } = await import('node:http');
  const latency = Number(values.serve);
  const server = createServer((_req, res) => {
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('[]'), latency);
  });
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as { port: number }).port));
  process.on('disconnect', () => process.exit(0));
} else {
  const calls = Number(values.calls);
  const rounds = Number(values.rounds);
  const concurrency = Number(values.concurrency);
  const child = fork(new URL(import.meta.url).pathname, ['--serve', values.latency], {
    execArgv: process.execArgv,
  });
  const port = await new Promise<number>((resolve) => child.once('message', (p) => resolve(p as number)));
  const base = `http://127.0.0.1:${port}`;
  const config: ExpressPlayConfig = {
    tokenBaseUrl: base,
    apiBaseUrl: base,
    customerAuthenticator: `1000,${'0'.repeat(32)}`,
    timeoutMs: 5000,
    retries: 2,
    breakerFailureThreshold: 5,
    breakerResetMs: 30_000,
    tokenTtlSeconds: 3600,
  };
  const cookie = 'c'.repeat(32);
  const url = `${getrecordUrl(base)}?${getrecordQuery(cookie, config.customerAuthenticator).toString()}`;
  const service = createExpressPlayClient(config);
  const gotHttp = createExpressPlayHttp(config).extend({ headers: { accept: 'application/json' } });
  const agent = new Agent(KEEP_ALIVE);
  const nodeHttp = (): Promise<unknown> =>
    new Promise((resolve, reject) => {
      get(url, { agent, headers: { accept: 'application/json' }, timeout: config.timeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(parseRecords(res.statusCode ?? 0, body)));
        res.on('error', reject);
      }).on('error', reject);
    });
  const latency = Number(values.latency);
  const clients: Record<string, () => Promise<unknown>> = {
    'timers only (floor)': () => new Promise((resolve) => setTimeout(resolve, latency + 1)),
    'node:http': nodeHttp,
    'got, as configured': () => gotHttp.get(url).then((r) => parseRecords(r.statusCode, r.body)),
    'service client (got)': () => service.recordsByCookie(cookie),
  };

  const run = async (call: () => Promise<unknown>, n: number): Promise<void> => {
    let started = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (started++ < n) await call();
      }),
    );
  };
  const results = new Map<string, number[]>();
  for (const call of Object.values(clients)) await run(call, Math.min(1000, calls));
  for (let round = 0; round < rounds; round++) {
    for (const [name, call] of Object.entries(clients)) {
      const cpu = process.cpuUsage();
      await run(call, calls);
      const used = process.cpuUsage(cpu);
      results.set(name, [...(results.get(name) ?? []), (used.user + used.system) / 1000 / calls]);
    }
  }
  child.disconnect();

  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  process.stdout.write(
    `CPU ms per record retrieval, ${concurrency} at a time, ${latency} ms server latency, median of ${rounds} rounds ` +
      `of ${calls} calls [min-max]:\n`,
  );
  for (const [name, xs] of results) {
    process.stdout.write(
      `  ${name.padEnd(22)} ${median(xs).toFixed(3)} [${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)}]\n`,
    );
  }
}
