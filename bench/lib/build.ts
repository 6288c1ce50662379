/**
 * The bench measures compiled code: `npm run build` (the service's dist/src, as `npm start` runs it), then the
 * bench's child wrappers (target, baseline, sandbox) compiled beside it into dist/bench with bench/tsconfig.children.json.
 *
 * For a before/after table in one run (`BENCH_COMPARE=<git ref>`), the ref is checked out into a temporary git
 * worktree, built there with this tree's node_modules linked in, and given this tree's compiled wrappers: the
 * wrappers import ../src/*.js relatively, so in that worktree they start the ref's service.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function sh(cwd: string, command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, maxBuffer: 16 * 1024 * 1024, env: process.env });
    return stdout.trim();
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

/** Builds the service and the bench's child wrappers of the tree at `root`; returns its dist folder. */
export async function buildTree(root: string): Promise<string> {
  await sh(root, 'npm', ['run', '--silent', 'build']);
  await sh(root, process.execPath, [
    path.join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    'bench/tsconfig.children.json',
  ]);
  return path.join(root, 'dist');
}

export interface CompareTree {
  /** The ref as given and the commit it named. */
  readonly ref: string;
  readonly commit: string;
  /** The worktree's dist folder, holding the ref's dist/src and this tree's dist/bench. */
  readonly dist: string;
  remove(): Promise<void>;
}

export async function buildCompareTree(root: string, ref: string): Promise<CompareTree> {
  const commit = await sh(root, 'git', ['rev-parse', '--short', `${ref}^{commit}`]);
  const parent = await mkdtemp(path.join(os.tmpdir(), 'entitlement-bench-compare-'));
  const dir = path.join(parent, 'tree');
  await sh(root, 'git', ['worktree', 'add', '--detach', dir, commit]);
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    await sh(root, 'git', ['worktree', 'remove', '--force', dir]).catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
    await sh(root, 'git', ['worktree', 'prune']).catch(() => undefined);
  };
  try {
    await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await sh(dir, 'npm', ['run', '--silent', 'build']);
    await cp(path.join(root, 'dist', 'bench'), path.join(dir, 'dist', 'bench'), { recursive: true });
    return { ref, commit, dist: path.join(dir, 'dist'), remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** The short commit of the tree at `root`, and whether it has uncommitted changes. */
export async function gitState(root: string): Promise<{ commit: string | undefined; dirty: boolean }> {
  const commit = await sh(root, 'git', ['rev-parse', '--short', 'HEAD']).catch(() => undefined);
  const status = await sh(root, 'git', ['status', '--porcelain']).catch(() => '');
  return { commit, dirty: status !== '' };
}
