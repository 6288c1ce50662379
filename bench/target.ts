/**
 * The service under test, as `npm start` runs it: configuration from the environment (the parent sets PORT=0,
 * DATA_DIR to a temp folder for embedded PGlite, EXPRESSPLAY_* to the bench sandbox, a high RATE_LIMIT_PER_MINUTE).
 * Logs go to BENCH_LOG_FILE (default /dev/null) through pino's asynchronous destination, so logging is paid for
 * as in production but stdout stays free for the ready line.
 *
 * Run compiled (`node dist/bench/target.js`, built by the bench), with --expose-gc. The control port serves
 * `/bench/stats` (memory), `/bench/gc` (memory after a forced full collection), and `/bench/profile/start`, `/bench/profile/stop?file=…`, which
 * record a V8 CPU profile of one scenario through the inspector.
 */
import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { pino } from 'pino';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';
import { announceAndWait, memory, memoryAfterGc, serveControl } from './lib/child-main.js';

const config = loadConfig(process.env);
const destination = pino.destination({ dest: process.env.BENCH_LOG_FILE ?? '/dev/null', sync: false });
const logger = createLogger(config.logLevel, destination);
const app = await startApp(config, { logger });

let session: Session | null = null;
const control = await serveControl({
  '/bench/stats': () => memory(),
  '/bench/gc': () => memoryAfterGc(),
  '/bench/profile/start': async () => {
    if (session) throw new Error('a profile is already running');
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    return { started: true };
  },
  '/bench/profile/stop': async (query) => {
    if (!session) throw new Error('no profile is running');
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    session = null;
    const file = query.get('file');
    if (file) await writeFile(file, JSON.stringify(profile));
    return { file, samples: profile.samples?.length ?? 0 };
  },
});

announceAndWait({ url: app.url, control: control.url, jwtSecret: app.jwtSecret }, async () => {
  control.server.close();
  await app.stop();
  try {
    destination.flushSync();
  } catch {
    // "sonic boom is not ready yet": the file never opened, so there is nothing to flush.
  }
});
