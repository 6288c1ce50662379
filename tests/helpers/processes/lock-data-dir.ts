/**
 * A child process for lock tests: locks the data directory given as first argument. With `on-go` as second argument,
 * it first prints {"ready":true} and waits for a line on stdin, so that several children, all started, try at the
 * same moment. Prints one JSON line ({"locked":true} or {"refused":"<message>"}) and, if locked, holds the lock until
 * its stdin closes.
 */
import { lockDataDir } from '../../../src/store/data-dir-lock.js';

const [dataDir, mode] = process.argv.slice(2);
const stdinEnded = new Promise((resolve) => process.stdin.once('end', resolve));
if (mode === 'on-go') {
  const go = new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  await go;
}
process.stdin.resume();
try {
  const lock = await lockDataDir(dataDir);
  process.stdout.write(`${JSON.stringify({ locked: true, pid: process.pid })}\n`);
  await stdinEnded;
  await lock.release();
  process.exit(0);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ refused: (error as Error).message, name: (error as Error).name })}\n`);
  process.exit(3);
}
