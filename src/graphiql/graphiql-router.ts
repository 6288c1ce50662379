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

  router.get(`${ASSET_PREFIX}:name`, (req: Request, res: Response, next: NextFunction) => {
    const asset = assets.get(req.params.name as GraphiqlAssetName);
    if (!asset) return next();
    // The page asks for each asset with ?v=<content hash>, so a new version is a new URL and this one never changes.
    // With the ETag set, express answers a matching If-None-Match with 304.
    res
      .set({
        'Content-Type': asset.contentType,
        'Cache-Control': 'public, max-age=31536000, immutable',
        ETag: `"${asset.version}"`,
        'X-Content-Type-Options': 'nosniff',
      })
      .send(asset.body);
  });

  return router;
}
