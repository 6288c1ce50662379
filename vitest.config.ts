import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const require = createRequire(import.meta.url);

/**
 * Files that took 10 s or more first, longest first, whatever their project; then the projects one after another,
 * each with its longest files first: browser (Chromium starts beside the rest), unit, integration. Vitest's own order
 * runs the projects by name, so the unit tier's slow store files started only once the integration tier was done, and
 * ended the run alone. Mixing all files across projects was no better: a worker is kept for the next file only if that
 * file is of its own project, so each switch started a new worker that loaded the app's modules again (eight
 * integration workers in one run). Durations come from the last run's cache; without one (a fresh CI checkout), bigger
 * files go first.
 */
class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const order = ['browser', 'unit', 'integration'];
    const cost = (spec: TestSpecification): number => {
      const key = `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`;
      const last = this.ctx.cache.getFileTestResults(key);
      // A failed file keeps running first, as in Vitest's order.
      if (last?.failed) return Number.POSITIVE_INFINITY;
      // Milliseconds of the last run, or the file's size (a ~5 KB file took about a second), as a guess.
      return last?.duration ?? (this.ctx.cache.getFileStats(key)?.size ?? 0) / 5;
    };
    const block = (spec: TestSpecification) => (cost(spec) >= 10_000 ? -1 : order.indexOf(spec.project.name));
    // Array.prototype.sort is stable: ties keep Vitest's order.
    return sorted.sort((a, b) => block(a) - block(b) || cost(b) - cost(a));
  }
}

/**
 * Three tiers, each a Vitest project (`npm run test:unit`, `test:integration`, `test:browser`; `npm test` runs all):
 * - unit: one module at a time, and the store and the sandbox on their own, in worker threads.
 * - integration: the services over a real store and an in-process fake ExpressPlay (tests/service), resolvers
 *   through executeOperation, one HTTP flow per feature against the started app, and the simulated device's CLI, in
 *   child processes (a file's servers, PGlite instances and child processes stay out of the runner's process).
 * No tier mocks modules or keeps state in them between files (each file starts and stops its own apps and stores),
 * so a worker runs file after file without loading the app's modules again (`isolate: false`): loading them took
 * more of the run than the integration tests themselves.
 * - browser: GraphiQL in Chromium.
 */
export default defineConfig({
  // graphql@16 ships index.mjs and index.js with no "exports" map. Vite hands our files the .mjs while the
  // externalized type-graphql and @apollo/server load the .js: two graphql realms. Pin one.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    environment: 'node',
    setupFiles: ['reflect-metadata'],
    globalSetup: ['tests/helpers/postgres-schemas.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Most of an integration file's time is spent waiting (on sockets, PostgreSQL, child processes, timers), so one
    // more file runs at once than there are cores. Vitest's default, one fewer than the cores, ran them one by one
    // on two cores.
    maxWorkers: availableParallelism() + 1,
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/sandbox/**/*.test.ts'],
          pool: 'threads',
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/service/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/device/**/*.test.ts'],
          pool: 'forks',
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'browser', include: ['tests/browser/**/*.test.ts'], pool: 'forks' },
      },
    ],
  },
});
