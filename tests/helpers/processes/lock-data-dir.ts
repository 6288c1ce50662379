/**
 * A child process for lock tests: locks the data directory given as first argument, at the time (epoch ms) given as
 * second if any, so that several children try at the same moment. Prints one JSON line ({"locked":true} or
 * {"refused":"<message>"}) and, if locked, holds the lock until its stdin closes.
 */
import { lockDataDir } from '../../../src/store/data-dir-lock.js';

const startAt = Number(process.argv[3] ?? 0);
await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
try {
  const lock = await lockDataDir(process.argv[2]);
  process.stdout.write(`${JSON.stringify({ locked: true, pid: process.pid })}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => void lock.release().then(() => process.exit(0)));
} catch (error) {
  process.stdout.write(`${JSON.stringify({ refused: (error as Error).message, name: (error as Error).name })}\n`);
  process.exit(3);
}
