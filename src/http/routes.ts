import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { dummyPlaylist, isLicenseUrl } from '../bindings/dummy-stream.js';
import type { MetricsConfig } from '../config/config.js';
import type { Store } from '../store/types.js';

/** Plain HTTP endpoints beside GraphQL: health, metrics and the dummy stream a device plays to bind itself. */
export function createRoutes(deps: { store: Store; registry: Registry; metrics: MetricsConfig }): Router {
  const router = Router();

  router.get('/healthz', async (_req: Request, res: Response) => {
    const database = await deps.store.ping().catch(() => false);
    res.status(database ? 200 : 503).json({ status: database ? 'ok' : 'degraded', database });
  });

  const allowed = metricsAccess(deps.metrics.token);
  // Not served (production without METRICS_TOKEN): not even mounted, so it answers as any unknown path does.
  if (deps.metrics.enabled) {
    router.get('/metrics', async (req: Request, res: Response) => {
      if (!allowed(req.get('authorization'))) {
        res
          .status(401)
          .set('WWW-Authenticate', 'Bearer realm="metrics"')
          .type('text/plain')
          .send('Send "Authorization: Bearer <METRICS_TOKEN>".\n');
        return;
      }
      res.type(deps.registry.contentType).send(await deps.registry.metrics());
    });
  }

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

/**
 * Checks the scrape's bearer token against METRICS_TOKEN, or lets everything through when none is set. Both sides
 * are hashed first so the comparison takes the same time whatever the length or the first wrong byte.
 */
function metricsAccess(token: string | undefined): (authorization: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    return presented !== undefined && timingSafeEqual(createHash('sha256').update(presented).digest(), expected);
  };
}
