import type { GraphiqlAsset, GraphiqlAssetName } from './graphiql-assets.js';

export interface GraphiqlPageOptions {
  readonly endpoint: string;
  readonly defaultQuery: string;
  readonly assets: ReadonlyMap<GraphiqlAssetName, GraphiqlAsset>;
}

export const ASSET_PREFIX = '/graphiql/assets/';

/**
 * Everything the page loads comes from this origin. Styles need 'unsafe-inline' because GraphiQL and CodeMirror
 * set inline styles; its CSS embeds its fonts and icons as data: URLs.
 */
export const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const DEFAULT_HEADERS = JSON.stringify(
  { Authorization: 'Bearer <paste a token from: npm run token -- alice>' },
  null,
  2,
);

export function renderGraphiqlPage(options: GraphiqlPageOptions): string {
  const href = (name: GraphiqlAssetName) => `${ASSET_PREFIX}${name}?v=${options.assets.get(name)!.version}`;
  // A JSON data block is not executed, so the CSP does not apply to it; escaping "<" keeps "</script>" inside
  // the query from ending the block.
  const config = JSON.stringify({
    endpoint: options.endpoint,
    defaultQuery: options.defaultQuery,
    defaultHeaders: DEFAULT_HEADERS,
  }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · device-binding entitlement API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${href('graphiql.css')}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
<script id="graphiql-config" type="application/json">${config}</script>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<noscript>GraphiQL needs JavaScript. The API itself is at ${escapeHtml(options.endpoint)} (POST, application/json).</noscript>
<script src="${href('react.production.min.js')}"></script>
<script src="${href('react-dom.production.min.js')}"></script>
<script src="${href('graphiql.umd.js')}"></script>
<script src="${href('boot.js')}"></script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
