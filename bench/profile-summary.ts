/**
 * Summarises V8 CPU profiles (`.cpuprofile`, as `npm run bench -- --profile` or `node --cpu-prof` write them):
 * where the time went by package or source file, the top functions by self time, and the service's own functions
 * by inclusive time (self plus everything they call).
 *
 *   npx tsx bench/profile-summary.ts bench/profiles/pglite-purchase.cpuprofile [--top 25]
 *
 * The bench profiles compiled code: own files show as src/…/x.js with the compiled file's line numbers.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' } },
  allowPositionals: true,
});
const top = Number(values.top);
if (positionals.length === 0) {
  process.stderr.write('usage: npx tsx bench/profile-summary.ts <file.cpuprofile>... [--top 25]\n');
  process.exit(2);
}

/** A package (`pg`, `@apollo/server`), a file of ours (`src/graphql/context.ts`), `node:internal` or a V8 pseudo-frame. */
function category(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  // The only WebAssembly in the service is PGlite's PostgreSQL.
  if (url.startsWith('wasm://')) return '@electric-sql/pglite (wasm)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  // Compiled code (what the bench runs): dist/src/…/x.js, the line numbers are the .js file's.
  const ours = /\/dist\/((?:src|bench)\/.*)$/.exec(url) ?? /\/((?:src|bench)\/.*)$/.exec(url);
  if (ours) return ours[1];
  if (url.startsWith('node:')) return 'node:internal';
  return url;
}

function label(frame: CallFrame): string {
  const where = frame.url === '' ? '' : ` ${category(frame)}:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'}${where}`;
}

const ms = (us: number): string => (us / 1000).toFixed(0).padStart(7);
const pct = (part: number, whole: number): string => `${((part / whole) * 100).toFixed(1)}%`.padStart(6);

for (const file of positionals) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  // Starting the profiler walks every compiled function once, inside the bench's own /bench/profile/start hook:
  // that is the profiler's cost, not the service's, so its subtree is left out like idle time.
  const excluded = new Set<number>();
  const exclude = (id: number) => {
    excluded.add(id);
    for (const child of byId.get(id)?.children ?? []) exclude(child);
  };
  for (const n of profile.nodes) if (n.callFrame.functionName.startsWith('/bench/profile/')) exclude(n.id);
  for (const id of excluded) self.delete(id);

  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = profile.nodes
    .filter((n) => n.callFrame.functionName === '(idle)')
    .reduce((a, n) => a + (self.get(n.id) ?? 0), 0);
  const busy = total - idle;

  const add = (map: Map<string, number>, key: string, value: number) => map.set(key, (map.get(key) ?? 0) + value);
  const selfByCategory = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  for (const [id, time] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    add(selfByCategory, category(frame), time);
    add(selfByFunction, label(frame), time);
  }

  // Inclusive time of our own functions: a node's subtree, counted once per function however deep it recurses.
  const inclusive = new Map<string, number>();
  const walk = (id: number, onStack: Set<string>): number => {
    const node = byId.get(id)!;
    if (excluded.has(id)) return 0;
    let time = self.get(id) ?? 0;
    const key = label(node.callFrame);
    const ours = /^(src|bench)\//.test(category(node.callFrame));
    const fresh = ours && !onStack.has(key);
    if (fresh) onStack.add(key);
    for (const child of node.children ?? []) time += walk(child, onStack);
    if (fresh) {
      onStack.delete(key);
      add(inclusive, key, time);
    }
    return time;
  };
  walk(profile.nodes[0].id, new Set());

  const rows = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, time]) => `  ${ms(time)} ms ${pct(time, busy)}  ${name}`)
      .join('\n');

  process.stdout.write(
    [
      `== ${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled, busy ${(busy / 1e6).toFixed(1)} s (${pct(busy, total).trim()}); percentages are of busy time`,
      'Self time by package / file:',
      rows(selfByCategory, 15),
      `Top ${top} functions by self time:`,
      rows(selfByFunction, top),
      'Own functions (src/, bench/) by inclusive time:',
      rows(inclusive, 15),
      '',
    ].join('\n'),
  );
}
