import { Router, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { dummyPlaylist, isLicenseUrl } from '../bindings/dummy-stream.js';
import type { Store } from '../store/types.js';

/** Plain HTTP endpoints beside GraphQL: health, metrics and the dummy stream a device plays to bind itself. */
export function createRoutes(deps: { store: Store; registry: Registry }): Router {
  const router = Router();

  router.get('/healthz', async (_req: Request, res: Response) => {
    const database = await deps.store.ping().catch(() => false);
    res.status(database ? 200 : 503).json({ status: database ? 'ok' : 'degraded', database });
  });

  router.get('/metrics', async (_req: Request, res: Response) => {
    res.type(deps.registry.contentType).send(await deps.registry.metrics());
  });

  router.get('/streams/dummy.m3u8', (req: Request, res: Response) => {
    const license = typeof req.query.license === 'string' ? req.query.license : '';
    if (!isLicenseUrl(license)) {
      res.status(400).type('text/plain').send('license must be the licenseUrl returned by bindDevice\n');
      return;
    }
    res.type('application/vnd.apple.mpegurl').set('Cache-Control', 'no-store').send(dummyPlaylist(license));
  });

  return router;
}
