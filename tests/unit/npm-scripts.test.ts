/**
 * What `npm start` and `npm run device` cost before they do anything: start builds only what changed, and the
 * device command loads no more than Node itself and its own few files.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

describe('npm start', () => {
  it('rebuilds incrementally (tsc -b with a build info file), not the whole tree on every start', () => {
    expect(scripts.prestart).toBe('npm run build');
    expect(scripts.build).toMatch(/^tsc -b tsconfig\.build\.json$/);
    const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: Record<string, unknown>;
    };
    expect(build.compilerOptions.incremental).toBe(true);
  });
});

describe('npm run device', () => {
  it("runs in one process with tsx's loader, not through the tsx CLI (a second Node process)", () => {
    expect(scripts.device).toBe('node --import tsx src/device/device-cli.ts');
  });

  it('imports only Node built-ins and its own modules (no package, nothing that loads one)', () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      // Value imports and re-exports; `import type` is erased and loads nothing.
      for (const [, specifier] of source.matchAll(
        /^(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm,
      )) {
        if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
        else if (!specifier.startsWith('node:')) packages.add(`${relative(root, file)} -> ${specifier}`);
      }
    };
    visit(join(root, 'src/device/device-cli.ts'));
    expect([...packages]).toEqual([]);
    expect(seen.size).toBeGreaterThanOrEqual(3);
  });
});
