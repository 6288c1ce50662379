/**
 * One embedded PGlite data directory, several real processes: the service as `npm start` runs it (src/main.ts) and a
 * small writer that acknowledges each write. PGlite is one process: a second one must be refused at once, with a
 * message an operator can act on, and must cost the first one nothing.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/create-store.js';
import { LOCK_FILE_NAME } from '../../src/store/data-dir-lock.js';
import { startTestChild, type TestChild } from '../helpers/child-process.js';
import { migratedDataDir } from '../helpers/test-store.js';

const WRITER = 'tests/helpers/processes/write-store.ts';
const key = randomBytes(32).toString('hex');

/** The service's own entry point on `dataDir`, all ports 0. Waits (at most 90 s) for it to exit. */
async function startService(dataDir: string, env: NodeJS.ProcessEnv = {}) {
  const started = Date.now();
  const child = await startTestChild('src/main.ts', [], {
    DATA_DIR: dataDir,
    DATABASE_URL: undefined,
    PORT: '0',
    SANDBOX_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CONTENT_KEY_ENCRYPTION_KEY: key,
    ...env,
  });
  const timeout = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 90_000).unref());
  const outcome = await Promise.race([child.exited, timeout]);
  if (outcome === 'still running') {
    child.process.kill('SIGKILL');
    await child.exited;
    throw new Error('the service started on a data directory it should have refused');
  }
  return { ...outcome, ms: Date.now() - started };
}

/** A stack trace, or PGlite's wasm abort, in what a process printed. */
const NOISE = /^\s+at |RuntimeError|Aborted\(\)/m;

/** How many of the writer's first `acknowledged` writes the data directory holds. */
async function countWrites(dataDir: string, writer: TestChild, acknowledged: number): Promise<number> {
  const store = await createStore({ dataDir, contentKeyEncryptionKey: Buffer.from(key, 'hex') });
  try {
    const written = Array.from({ length: acknowledged }, (_, n) => `${writer.pid}-${n}`);
    return (await store.contentsByIds(written)).length;
  } finally {
    await store.close();
  }
}

describe('one PGlite data directory, several processes', () => {
  let root: string;
  let dataDir: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'data-dir-'));
    dataDir = join(root, 'data');
    // Already migrated: what is under test is several processes on one folder, not its creation (create-store.test.ts).
    await migratedDataDir(dataDir);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('refuses a second process at once, naming the first, and the first keeps every acknowledged write', async () => {
    const writer = await startTestChild(WRITER, [], { DATA_DIR: dataDir, CONTENT_KEY_ENCRYPTION_KEY: key });
    await writer.line('ready', 120_000);

    const second = await startService(dataDir);
    console.info(
      `second process on the data directory exited ${second.code} after ${second.ms} ms (its start included)`,
    );
    expect(second.code).toBe(1);
    const message = second.stderr.trim();
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain(`The data directory ${dataDir} is in use by process ${writer.pid}`);
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toMatch(NOISE);

    writer.process.stdin!.end();
    const { acknowledged } = await writer.line<{ acknowledged: number }>('acknowledged');
    expect((await writer.exited).code).toBe(0);
    expect(await readdir(dataDir)).not.toContain(LOCK_FILE_NAME);
    expect(acknowledged).toBeGreaterThan(0);
    const kept = await countWrites(dataDir, writer, acknowledged);
    console.info(
      `acknowledged writes kept with a second process started on the data directory: ${kept} of ${acknowledged}`,
    );
    expect(kept).toBe(acknowledged);
  }, 240_000);

  it('takes over the lock of a process killed with SIGKILL', async () => {
    const killed = await startTestChild(WRITER, [], { DATA_DIR: dataDir, CONTENT_KEY_ENCRYPTION_KEY: key });
    await killed.line('ready', 120_000);
    killed.process.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    expect(JSON.parse(await readFile(join(dataDir, LOCK_FILE_NAME), 'utf8'))).toMatchObject({ pid: killed.pid });

    const next = await startTestChild(WRITER, [], { DATA_DIR: dataDir, CONTENT_KEY_ENCRYPTION_KEY: key });
    await next.line('ready', 120_000);
    expect(JSON.parse(await readFile(join(dataDir, LOCK_FILE_NAME), 'utf8'))).toMatchObject({ pid: next.pid });
    next.process.stdin!.end();
    const { acknowledged } = await next.line<{ acknowledged: number }>('acknowledged');
    expect((await next.exited).code).toBe(0);
    expect(await readdir(dataDir)).not.toContain(LOCK_FILE_NAME);
    expect(await countWrites(dataDir, next, acknowledged)).toBe(acknowledged);
  }, 240_000);

  it('says that CONTENT_KEY_ENCRYPTION_KEY is not the key the data was written with, in one line, and exits 78', async () => {
    const wrongKey = randomBytes(32).toString('hex');
    const { code, stderr } = await startService(dataDir, { CONTENT_KEY_ENCRYPTION_KEY: wrongKey });
    expect(code).toBe(78);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(
      'CONTENT_KEY_ENCRYPTION_KEY does not match the key the stored content keys were written with',
    );
    expect(stderr).not.toMatch(NOISE);
    for (const secret of [key, wrongKey]) expect(stderr).not.toContain(secret);
    expect(await readdir(dataDir)).not.toContain(LOCK_FILE_NAME);
  }, 120_000);

  it('says which data directory is damaged and what to do, instead of a wasm stack trace', async () => {
    const damaged = join(root, 'damaged');
    await cp(dataDir, damaged, { recursive: true });
    // pg_control is the first file PostgreSQL reads; garbage there made PGlite abort.
    const control = await open(join(damaged, 'global', 'pg_control'), 'r+');
    await control.write(randomBytes(512), 0, 512, 0);
    await control.close();

    const { code, stderr } = await startService(damaged);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`The embedded database in ${damaged} cannot be opened`);
    expect(stderr).toContain('Restore the folder from a backup');
    expect(stderr).not.toMatch(NOISE);
    expect(await readdir(damaged)).not.toContain(LOCK_FILE_NAME);
  }, 120_000);

  it('says which DATA_DIR cannot be used when it is not a folder', async () => {
    const notAFolder = join(root, 'a-file');
    await writeFile(notAFolder, 'not a folder');
    const { code, stderr } = await startService(notAFolder);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(notAFolder);
    expect(stderr).toContain('set DATA_DIR to a folder this process may write');
    expect(stderr).not.toMatch(NOISE);
  }, 120_000);
});
