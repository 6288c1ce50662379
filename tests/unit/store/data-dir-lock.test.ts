import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME, lockDataDir } from '../../../src/store/data-dir-lock.js';
import { DataDirLockedError } from '../../../src/store/startup-errors.js';
import { startTestChild } from '../../helpers/child-process.js';

const LOCKER = 'tests/helpers/processes/lock-data-dir.ts';

/** The pid of a process that has exited: nothing runs under it (until the system reuses it, far later). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

const lockText = (holder: { pid: number; host?: string; startedAt?: string; token?: string }) =>
  JSON.stringify({ host: hostname(), startedAt: '2020-01-01T00:00:00.000Z', token: 'ab'.repeat(16), ...holder });

describe('data directory lock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is exclusive, names its holder, and is removed on release', async () => {
    const lock = await lockDataDir(dir);
    const held = JSON.parse(await readFile(join(dir, LOCK_FILE_NAME), 'utf8')) as { startedAt: string };
    expect(held).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Date.parse(held.startedAt)).toBeLessThanOrEqual(Date.now());

    const error = await lockDataDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as Error).message).toContain(`process ${process.pid}`);
    expect((error as Error).message).toContain('DATABASE_URL');

    await lock.release();
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    await (await lockDataDir(dir)).release();
  });

  it('refuses while another live process holds the folder', async () => {
    const holder = await startTestChild(LOCKER, [dir]);
    try {
      await holder.line('locked');
      const error = (await lockDataDir(dir).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(DataDirLockedError);
      expect(error?.message).toContain(`process ${holder.pid} on host ${hostname()}`);
    } finally {
      holder.process.stdin!.end();
      expect((await holder.exited).code).toBe(0);
    }
    // It removed its lock when it ended.
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock whose process is gone, or that is ours from a previous life (same pid, other start)', async () => {
    for (const stale of [lockText({ pid: await deadPid() }), lockText({ pid: process.pid }), 'garbage']) {
      await writeFile(join(dir, LOCK_FILE_NAME), stale);
      const lock = await lockDataDir(dir);
      expect(JSON.parse(await readFile(join(dir, LOCK_FILE_NAME), 'utf8'))).toMatchObject({ pid: process.pid });
      await lock.release();
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it('does not judge a lock from another host: refuses, and says which file to delete', async () => {
    await writeFile(join(dir, LOCK_FILE_NAME), lockText({ pid: 1, host: 'elsewhere.example' }));
    const error = (await lockDataDir(dir).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect(error?.message).toContain('on host elsewhere.example');
    expect(error?.message).toContain(join(dir, LOCK_FILE_NAME));
  });

  it('many takeovers of one stale lock at once, 50 rounds: one wins each time, and no marker is left', async () => {
    for (let round = 0; round < 50; round++) {
      await writeFile(
        join(dir, LOCK_FILE_NAME),
        lockText({ pid: process.pid, token: round.toString(16).padStart(32, '0') }),
      );
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => lockDataDir(dir)));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DataDirLockedError);
      await won[0].value.release();
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it('eight processes taking over one stale lock at once: exactly one gets it, the others name it', async () => {
    await writeFile(join(dir, LOCK_FILE_NAME), lockText({ pid: await deadPid() }));
    const children = await Promise.all(Array.from({ length: 8 }, () => startTestChild(LOCKER, [dir, 'on-go'])));
    try {
      // All at one moment, once every child has started and is waiting.
      await Promise.all(children.map((c) => c.line('ready')));
      for (const c of children) c.process.stdin!.write('go\n');
      const outcomes = await Promise.all(
        children.map((c) =>
          Promise.race([c.line<{ locked?: true }>('locked'), c.line<{ refused: string }>('refused')]),
        ),
      );
      const winners = children.filter((_, i) => 'locked' in outcomes[i]);
      expect(winners).toHaveLength(1);
      for (const outcome of outcomes) {
        if ('refused' in outcome) expect(outcome.refused).toContain(`process ${winners[0].pid} `);
      }
      expect(JSON.parse(await readFile(join(dir, LOCK_FILE_NAME), 'utf8'))).toMatchObject({ pid: winners[0].pid });
    } finally {
      for (const c of children) c.process.stdin!.end();
      await Promise.all(children.map((c) => c.exited));
    }
    expect(await readdir(dir)).toEqual([]);
  });
});
