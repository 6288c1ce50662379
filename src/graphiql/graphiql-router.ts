import { Router, type NextFunction, type Request, type Response } from 'express';
import { loadGraphiqlAssets, type GraphiqlAssetName } from './graphiql-assets.js';
import { ASSET_PREFIX, GRAPHIQL_CSP, renderGraphiqlPage } from './graphiql-page.js';

/**
 * GraphiQL with no CDN: the page at /graphiql, and at the endpoint itself for browsers, plus its assets from
 * node_modules. Apollo's own landing page loads from Apollo's CDN, which is why app.ts disables it.
 */
export function createGraphiqlRouter(options: { endpoint: string; defaultQuery: string }): Router {
  const assets = loadGraphiqlAssets();
  const page = renderGraphiqlPage({ ...options, assets });
  const router = Router();

  const sendPage = (_req: Request, res: Response) => {
    res
      .set({
        'Content-Security-Policy': GRAPHIQL_CSP,
        'Cache-Control': 'no-cache',
        'Referrer-Policy': 'no-referrer',
        'X-Content-Type-Options': 'nosniff',
      })
      .type('html')
      .send(page);
  };

  router.get('/graphiql', sendPage);

  router.get(options.endpoint, (req: Request, res: Response, next: NextFunction) => {
    // The same URL answers both browsers and API clients, so caches must key on Accept.
    res.vary('Accept');
    // Only an explicit preference for HTML gets the page: `*/*` (curl, fetch's default) prefers JSON here,
    // so API GETs still reach Apollo.
    if (req.accepts(['application/json', 'text/html']) === 'text/html') sendPage(req, res);
    else next();
  });

  router.get(`${ASSET_PREFIX}:name`, async (req: Request, res: Response, next: NextFunction) => {
    const asset = assets.get(req.params.name as GraphiqlAssetName);
    if (!asset) return next();
    // GraphiQL's bundle is 1 MB as it ships, 300 KB in brotli or gzip: every browser takes one of them.
    // Browsers list gzip first with the same weight ("gzip, deflate, br, zstd"): prefer br, the smaller, whenever
    // it is acceptable at all. No Accept-Encoding at all gets the plain body, as most servers do.
    const encoding = req.get('accept-encoding')
      ? (['br', 'gzip'] as const).find((coding) => req.acceptsEncodings(coding) === coding)
      : undefined;
    const encoded = encoding ? await asset.encoded(encoding) : undefined;
    // The page asks for each asset with ?v=<content hash>, so a new version is a new URL and this one never changes.
    // With the ETag set, express answers a matching If-None-Match with 304. Each coding is its own representation,
    // with its own ETag, and caches must key on Accept-Encoding.
    res.vary('Accept-Encoding');
    if (encoded) res.set('Content-Encoding', encoding);
    res
      .set({
        'Content-Type': asset.contentType,
        'Cache-Control': 'public, max-age=31536000, immutable',
        ETag: encoded ? `"${asset.version}-${encoding}"` : `"${asset.version}"`,
        'X-Content-Type-Options': 'nosniff',
      })
      .send(encoded ?? asset.body);
  });

  return router;
}
