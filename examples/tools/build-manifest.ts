/**
 * `npm run codegen`'s last step: merges persisted-query manifests into the one file the server trusts,
 * schema/persisted-documents.json (`sha256:<hex>` -> document, sorted). Inputs are manifest files or folders of
 * them (*.json; a missing folder is skipped): codegen's web manifest and any mobile app's (see examples/MOBILE.md).
 *
 *   tsx examples/tools/build-manifest.ts <output.json> <input.json | folder>...
 */
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadManifest } from '../../src/http/trusted-documents.js';

const [output, ...inputs] = process.argv.slice(2);
if (output === undefined || inputs.length === 0) {
  process.stderr.write('usage: tsx examples/tools/build-manifest.ts <output.json> <input.json | folder>...\n');
  process.exit(2);
}

async function manifestFiles(input: string): Promise<string[]> {
  const info = await stat(input).catch(() => undefined);
  if (info === undefined && input.endsWith('/')) return [];
  if (info?.isDirectory()) {
    const names = (await readdir(input)).filter((name) => name.endsWith('.json')).sort();
    return names.map((name) => path.join(input, name));
  }
  return [input]; // a missing file is an error: loadManifest says which
}

const merged: Record<string, string> = {};
let sources = 0;
for (const input of inputs) {
  for (const file of await manifestFiles(input)) {
    Object.assign(merged, await loadManifest(file)); // ids are content hashes: the same id is the same text
    sources += 1;
  }
}
const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
await writeFile(output, `${JSON.stringify(sorted, null, 2)}\n`);
process.stdout.write(`wrote ${output}: ${Object.keys(sorted).length} operations from ${sources} manifest(s)\n`);
