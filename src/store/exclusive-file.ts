/**
 * Files in the data folder that several processes may race to create (the content-key file, the data-folder
 * lock): created whole or not at all, and read as absent rather than failing when they are not there.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';

/**
 * Creates `path` holding `text`, only if no such name exists: the text is written to a private file first and
 * linked into place (link fails if the name exists), so of two processes only one wins and nobody ever reads a
 * half-written file. False when the name exists.
 */
export async function createExclusive(path: string, text: string, mode: number): Promise<boolean> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, text, { flag: 'wx', mode });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(ignoreMissing);
  }
}

/** The file's text, or undefined when there is no such file; any other failure is thrown. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** For `unlink(...).catch(ignoreMissing)`: a file already gone is what was wanted. */
export function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
