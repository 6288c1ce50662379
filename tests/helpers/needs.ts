/**
 * Why a group is skipped, in its title: the reporter prints a skipped group's name, so a run without PostgreSQL says
 * "(skipped: needs TEST_DATABASE_URL)" instead of quietly running fewer tests.
 */
import { describe } from 'vitest';
import type { TestStoreBackend } from './test-store.js';

/** The environment variables of `names` that are not set. */
export function missingEnv(...names: string[]): string[] {
  return names.filter((name) => !process.env[name]);
}

/** `describe`, skipped with the reason in its title when any of `names` is not set. */
export function describeWithEnv(names: string[], title: string, body: () => void): void {
  const missing = missingEnv(...names);
  const reason = missing.length > 0 ? ` (skipped: needs ${missing.join(' and ')})` : '';
  describe.skipIf(missing.length > 0)(`${title}${reason}`, body);
}

/** One group per store backend, titled `${title} ${backend}`: PGlite always, PostgreSQL with TEST_DATABASE_URL. */
export function describeEachBackend(title: string, body: (backend: TestStoreBackend) => void): void {
  describe(`${title} pglite`, () => body('pglite'));
  describeWithEnv(['TEST_DATABASE_URL'], `${title} postgres`, () => body('postgres'));
}
