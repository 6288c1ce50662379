/**
 * Child processes for tests that need a second process: `node --import tsx <file>` run directly (the pid is the
 * script's own), its stdout read as JSON lines. Closing stdin asks the scripts under tests/helpers/processes to end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

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

/** `env` adds to this process's environment; a key set to undefined is left out. */
export function startTestChild(file: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): TestChild {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
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
