/**
 * The PostgreSQL the bench runs its `-postgres` scenarios on: BENCH_DATABASE_URL (or --database-url), else a
 * throwaway cluster made with initdb and pg_ctl from PATH in a temp folder, on a free loopback port, stopped and
 * deleted at the end. Each target gets a database of its own on it (lib/database.ts).
 *
 * CPU of the server: the backends serving a target's database (pg_stat_activity), read from /proc like the
 * bench's own processes, so that another client of a shared server is not counted.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresServer {
  /** A URL to the server's maintenance database. */
  readonly url: string;
  readonly source: string;
  stop(): Promise<void>;
}

const LOOPBACK_URL = /^postgres(ql)?:\/\/[^/]*(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//;

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    try {
      execFileSync('test', ['-x', candidate]);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The server to use, or why there is none (the `-postgres` scenarios are then skipped with that line). */
export async function resolvePostgres(
  givenUrl: string | undefined,
  log: (line: string) => void,
): Promise<PostgresServer | { skipped: string }> {
  if (givenUrl) {
    if (!LOOPBACK_URL.test(givenUrl)) {
      throw new Error(
        'BENCH_DATABASE_URL must point at a PostgreSQL on loopback (127.0.0.1): the bench touches nothing else',
      );
    }
    return {
      url: givenUrl,
      source: 'BENCH_DATABASE_URL (a database of its own per target, dropped at the end)',
      stop: async () => {},
    };
  }
  const initdb = onPath('initdb');
  const pgCtl = onPath('pg_ctl');
  if (!initdb || !pgCtl) return { skipped: 'no BENCH_DATABASE_URL and no initdb/pg_ctl on PATH' };
  // initdb refuses to run as root; as root, the cluster belongs to the `postgres` user when there is one.
  let asUser: string[] = [];
  let uid: number | undefined;
  let gid: number | undefined;
  if (process.getuid?.() === 0) {
    try {
      uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      asUser = ['runuser', '-u', 'postgres', '--'];
    } catch {
      return { skipped: 'no BENCH_DATABASE_URL, and running as root with no `postgres` user for initdb' };
    }
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'entitlement-bench-pg-'));
  if (uid !== undefined && gid !== undefined) await chown(dir, uid, gid);
  const data = path.join(dir, 'data');
  const exec = (binary: string, args: string[]) =>
    asUser.length > 0 ? run(asUser[0], [...asUser.slice(1), binary, ...args]) : run(binary, args);
  try {
    log('bench: PostgreSQL: no BENCH_DATABASE_URL, starting a throwaway cluster (initdb, pg_ctl)');
    await exec(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    const port = await freePort();
    await exec(pgCtl, [
      '-D',
      data,
      '-w',
      '-l',
      path.join(dir, 'server.log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      'start',
    ]);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      source: 'throwaway cluster (initdb + pg_ctl from PATH, default settings)',
      async stop() {
        await exec(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await exec(pgCtl, ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { skipped: `no BENCH_DATABASE_URL, and the throwaway cluster did not start (${message})` };
  }
}

const listers = new Map<string, Promise<pg.Client>>();

/**
 * The pids of the backends connected to `database`, asked over one kept connection to the maintenance URL per
 * server (asked before and after every window: a new connection each time would cost more than the question).
 */
export async function backendPids(serverUrl: string, database: string): Promise<number[]> {
  let client = listers.get(serverUrl);
  if (!client) {
    const made = new pg.Client({ connectionString: serverUrl });
    client = made.connect().then(() => made);
    listers.set(serverUrl, client);
  }
  const { rows } = await (
    await client
  ).query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [
    database,
  ]);
  return rows.map((r) => r.pid);
}

/** Closes the connections backendPids keeps. */
export async function closeBackendListers(): Promise<void> {
  const clients = [...listers.values()];
  listers.clear();
  for (const client of clients) await (await client).end().catch(() => undefined);
}

/** Whether /proc shows that pid: a server on another host (or in a container) cannot be measured. */
export function visibleInProc(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`, 'utf8');
    return true;
  } catch {
    return false;
  }
}
