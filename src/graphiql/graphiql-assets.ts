import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export interface GraphiqlAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** Short content hash: the asset's ETag and the `?v=` the page appends to bust caches on upgrade. */
  readonly version: string;
  /** The body in a content coding, compressed on first use and kept; undefined when that saves nothing. */
  encoded(encoding: AssetEncoding): Promise<Buffer | undefined>;
}

export type AssetEncoding = 'br' | 'gzip';

export type GraphiqlAssetName =
  'graphiql.css' | 'react.production.min.js' | 'react-dom.production.min.js' | 'graphiql.umd.js' | 'boot.js';

/**
 * Renders the page from the JSON the page carries in a data block (see graphiql-page.ts). A file of its own rather
 * than an inline script so that the CSP needs no 'unsafe-inline' or hash for scripts. Kept as a string: tsc does
 * not copy .js files to dist, and a stringified function would pick up whatever the test transform injects.
 */
const BOOT_SCRIPT = `'use strict';
(function () {
  var config = JSON.parse(document.getElementById('graphiql-config').textContent);
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: config.endpoint }),
      defaultQuery: config.defaultQuery,
      defaultHeaders: config.defaultHeaders,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: 'headers',
    }),
  );
})();
`;

let cached: ReadonlyMap<GraphiqlAssetName, GraphiqlAsset> | undefined;

/**
 * GraphiQL 4.1.2 (the last major with a UMD build) and React 18's UMD files, read once per process from
 * node_modules. These paths are not in the packages' `exports` maps, so they are found from each package.json.
 * Throws at startup, not per request, if a file is missing.
 */
export function loadGraphiqlAssets(): ReadonlyMap<GraphiqlAssetName, GraphiqlAsset> {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
  const css = 'text/css; charset=utf-8';
  const js = 'text/javascript; charset=utf-8';
  const files: Array<[GraphiqlAssetName, string, string]> = [
    ['graphiql.css', join(packageDir('graphiql'), 'dist', 'style.css'), css],
    ['graphiql.umd.js', join(packageDir('graphiql'), 'dist', 'index.umd.js'), js],
    ['react.production.min.js', join(packageDir('react'), 'umd', 'react.production.min.js'), js],
    ['react-dom.production.min.js', join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'), js],
  ];
  const assets = new Map<GraphiqlAssetName, GraphiqlAsset>();
  for (const [name, path, contentType] of files) assets.set(name, asset(readFileSync(path), contentType));
  assets.set('boot.js', asset(Buffer.from(BOOT_SCRIPT), js));
  cached = assets;
  return assets;
}

const compressors: Record<AssetEncoding, (body: Buffer) => Promise<Buffer>> = {
  // Brotli quality 9: GraphiQL's 1 MB bundle in 0.3 s to 300 KB; 11 saves another 25 KB for 3 s of CPU.
  br: (body) =>
    promisify(brotliCompress)(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }),
  gzip: (body) => promisify(gzip)(body, { level: 9 }),
};

function asset(body: Buffer, contentType: string): GraphiqlAsset {
  // Compressed when first asked for, not at startup: most app starts (tests, production without GraphiQL in
  // use) never serve it. zlib's async calls run off the event loop.
  const encodings = new Map<AssetEncoding, Promise<Buffer | undefined>>();
  return {
    body,
    contentType,
    version: createHash('sha256').update(body).digest('base64url').slice(0, 16),
    encoded(encoding) {
      let pending = encodings.get(encoding);
      if (!pending) {
        pending = compressors[encoding](body).then((out) => (out.length < body.length ? out : undefined));
        encodings.set(encoding, pending);
      }
      return pending;
    },
  };
}
