/**
 * Starting and stopping the benchmark's child processes. Each is `node <compiled file>.js` (the servers run as
 * `npm start` runs them, never under tsx), run directly (no npx wrapper) so that the pid is the server's own. A child prints one JSON ready line; the parent keeps its stdin
 * open, so a child whose parent dies sees stdin close and exits by itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Child<Ready> {
  readonly name: string;
  readonly pid: number;
  readonly ready: Ready;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Last resort when the parent exits without stopping its children (an exception, a signal). */
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startChild<Ready>(
  name: string,
  file: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; nodeFlags?: readonly string[]; readyTimeoutMs?: number },
): Promise<Child<Ready>> {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), file], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));

  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${options.readyTimeoutMs ?? 60_000} ms`)),
      options.readyTimeoutMs ?? 60_000,
    );
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      try {
        const parsed = JSON.parse(line) as { ready?: boolean };
        if (parsed.ready) {
          clearTimeout(timer);
          resolve(parsed as Ready);
        }
      } catch {
        // Not the ready line.
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready (code ${code}, signal ${signal})`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw error;
  });

  return {
    name,
    pid: child.pid!,
    ready,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok)
    throw new Error(`GET ${new URL(url).pathname} answered HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}
