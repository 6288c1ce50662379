/**
 * An exclusive lock on the embedded database's data directory. PGlite is PostgreSQL in one process, with no shared
 * memory and no lock of its own: two processes on one folder each keep their own view, overwrite each other's
 * files and lose what was acknowledged. The lock file names the holder (pid, host, start time) so that a second
 * process can say who holds the folder, and so that a lock left by a process that was killed can be taken over.
 *
 * Every step that decides ownership is an exclusive create (a complete file linked into place: link fails when the
 * name exists), never a check followed by a write, so two processes starting at once cannot both win.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createExclusive, ignoreMissing, readTextIfExists } from './exclusive-file.js';
import { DataDirLockedError, DataDirUnusableError, type LockHolder } from './startup-errors.js';

/** Readable by anyone who may look at the data folder: it says who holds it. */
const LOCK_FILE_MODE = 0o644;

export const LOCK_FILE_NAME = 'pglite.lock';

/** Turns a takeover waits for another process taking over the same stale lock before giving up. */
const TAKEOVER_ATTEMPTS = 100;

interface LockContent extends LockHolder {
  /** Tells this holding apart from any other, also of the same pid (a restarted container's pid 1). */
  readonly token: string;
}

/** A lock file as read: `generation` names this holding, parsed or not. */
interface ReadLock {
  readonly holder: LockContent | undefined;
  readonly generation: string;
}

export interface DataDirLock {
  readonly dataDir: string;
  readonly file: string;
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

// Fixed for the life of the process, so our own locks compare equal to it.
const PROCESS_STARTED_AT = new Date(Date.now() - process.uptime() * 1000).toISOString();

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = join(dataDir, LOCK_FILE_NAME);
  const mine: LockContent = {
    pid: process.pid,
    host: hostname(),
    startedAt: PROCESS_STARTED_AT,
    token: randomBytes(16).toString('hex'),
  };
  const text = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
    if (await createExclusive(file, text, LOCK_FILE_MODE)) return held(dataDir, file, mine.token);
    const current = await readLock(file);
    if (current === undefined) continue; // released meanwhile
    if (current.holder && mayRun(current.holder)) {
      throw new DataDirLockedError(dataDir, file, current.holder, current.holder.host === hostname());
    }
    if ((await takeOver(file, current, text)) === 'taken') return held(dataDir, file, mine.token);
    // Another process is taking the stale lock over, or just did: look again shortly.
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
  }
  throw new DataDirUnusableError(
    dataDir,
    `Could not lock the data directory ${dataDir}: other processes kept taking over its lock (${file}). Start one process per DATA_DIR; to run several processes, set DATABASE_URL to a PostgreSQL server.`,
  );
}

/**
 * Replaces the lock of a process that is gone. Processes that find the same stale lock take turns through marker
 * files named after it, each made by an exclusive create: `…takeover-<generation>-0`, and `-1`, `-2`… only when the
 * one before belongs to a process that died too. The maker of a marker is thus the only live process past that
 * point; it checks that the lock is still the stale one, swaps it for its own and removes the markers. A process
 * that arrives later makes a marker again but finds another lock in place, and starts over.
 */
async function takeOver(file: string, stale: ReadLock, text: string): Promise<'taken' | 'retry'> {
  const marker = (n: number) => `${file}.takeover-${stale.generation}-${n}`;
  let mine = 0;
  while (!(await createExclusive(marker(mine), text, LOCK_FILE_MODE))) {
    const other = await readLock(marker(mine));
    if (other === undefined) return 'retry'; // that takeover finished and cleaned up
    if (other.holder && mayRun(other.holder)) return 'retry';
    mine++;
  }
  try {
    const current = await readLock(file);
    if (current !== undefined) {
      if (current.generation !== stale.generation) return 'retry';
      await unlink(file).catch(ignoreMissing);
    }
    // A process starting afresh may have created the lock since: then it holds it, and we start over.
    return (await createExclusive(file, text, LOCK_FILE_MODE)) ? 'taken' : 'retry';
  } finally {
    for (let n = mine; n >= 0; n--) await unlink(marker(n)).catch(ignoreMissing);
  }
}

/**
 * False only when the holder certainly no longer runs: a pid that does not exist on this host, or our own pid with
 * another start time (a restarted container often runs as the same pid). A lock from another host cannot be judged.
 */
function mayRun(holder: LockContent): boolean {
  if (holder.host !== hostname()) return true;
  if (holder.pid === process.pid) return holder.startedAt === PROCESS_STARTED_AT;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function held(dataDir: string, file: string, token: string): DataDirLock {
  const ours = (text: string) => parse(text)?.token === token;
  // A process that ends without closing the store (process.exit) still leaves the folder free.
  const onExit = () => {
    try {
      if (ours(readFileSync(file, 'utf8'))) unlinkSync(file);
    } catch {
      // Gone already, or unreadable: nothing of ours to remove.
    }
  };
  process.on('exit', onExit);
  let releasing: Promise<void> | undefined;
  return {
    dataDir,
    file,
    release() {
      releasing ??= (async () => {
        process.removeListener('exit', onExit);
        const current = await readFile(file, 'utf8').catch(() => undefined);
        if (current !== undefined && ours(current)) await unlink(file).catch(ignoreMissing);
      })();
      return releasing;
    },
  };
}

async function readLock(path: string): Promise<ReadLock | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  const holder = parse(text);
  // A lock that does not parse (only a crash of the machine mid-write leaves one) has no holder: it is stale.
  return { holder, generation: holder?.token ?? createHash('sha256').update(text).digest('hex').slice(0, 32) };
}

function parse(text: string): LockContent | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockContent>;
    if (
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.startedAt === 'string' &&
      typeof value.token === 'string' &&
      /^[0-9a-f]{32}$/.test(value.token)
    ) {
      return { pid: value.pid, host: value.host, startedAt: value.startedAt, token: value.token };
    }
  } catch {
    // Not JSON.
  }
  return undefined;
}
