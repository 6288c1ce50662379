/**
 * Child processes for tests that need a second process, their stdout read as JSON lines. Closing stdin asks the
 * scripts under tests/helpers/processes to end.
 *
 * A script runs as one file bundled from its TypeScript sources (its packages left to Node, as `npm start` loads
 * them), with plain `node`: the pid is the script's own, and a start costs about half the CPU of `node --import tsx`,
 * whose loader transpiles and resolves every module again in each child.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';

export interface TestChild {
  readonly process: ChildProcess;
  readonly pid: number;
  /** The next JSON line the child prints that has `key`. */
  line<T = Record<string, unknown>>(key: string, timeoutMs?: number): Promise<T>;
  /** Resolves with the exit code (null when killed by a signal) and all of stderr. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Under node_modules, so that the bundle's bare imports resolve to the project's packages, and the project root is the
 * nearest folder above it with a package.json (where the service looks for schema/persisted-documents.json).
 */
const BUNDLES = join(process.cwd(), 'node_modules', '.cache', 'test-children');
const bundles = new Map<string, Promise<string>>();

/** The bundle of `file` (relative to the project root), built once per worker and named by its content. */
export function bundleTestChild(file: string): Promise<string> {
  let bundle = bundles.get(file);
  if (!bundle) {
    bundle = (async () => {
      const { outputFiles } = await build({
        entryPoints: [file],
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'esm',
        target: 'node20',
        write: false,
        logLevel: 'silent',
      });
      const code = outputFiles[0].contents;
      const path = join(
        BUNDLES,
        `${basename(file, '.ts')}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`,
      );
      // Written aside and renamed into place: a worker building the same file at once never runs half of one.
      await mkdir(BUNDLES, { recursive: true });
      const partial = `${path}.${process.pid}.tmp`;
      await writeFile(partial, code);
      await rename(partial, path);
      return path;
    })();
    bundles.set(file, bundle);
  }
  return bundle;
}

/**
 * Starts `file` (a TypeScript entry point, relative to the project root). `env` adds to this process's environment;
 * a key set to undefined is left out.
 */
export async function startTestChild(
  file: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<TestChild> {
  const script = await bundleTestChild(file);
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  const child = spawn(process.execPath, [script, ...args], {
    cwd: process.cwd(),
    env: merged,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stderr });
    }),
  );
  const lines: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      return;
    }
    for (const wake of waiters) wake();
  });
  return {
    process: child,
    pid: child.pid!,
    exited,
    line<T>(key: string, timeoutMs = 90_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const index = lines.findIndex((l) => key in l);
          if (index < 0) return false;
          const [found] = lines.splice(index, 1);
          cleanup();
          resolve(found as T);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no "${key}" line from ${file} within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = () => void check();
        if (check()) return;
        waiters.add(wake);
        void exited.then(() => {
          if (!check()) {
            cleanup();
            reject(new Error(`${file} exited with no "${key}" line; stderr: ${stderr.slice(-2000)}`));
          }
        });
      });
    },
  };
}
