import { randomBytes } from 'node:crypto';
import type { ContentInput } from '../store/types.js';

/**
 * Seeded on an empty catalog so that the quick start has something to buy. Keys are random per data folder:
 * they protect nothing, but they are still never returned by the API.
 */
export function demoCatalog(): ContentInput[] {
  const hex = () => randomBytes(16).toString('hex');
  return [
    {
      id: 'big-buck-bunny',
      title: 'Big Buck Bunny',
      keyId: hex(),
      contentKey: hex(),
      iv: hex(),
      rentalPeriodSeconds: 48 * 3600,
      rentalPlaySeconds: 24 * 3600,
      offlineAllowed: true,
    },
    {
      id: 'sintel',
      title: 'Sintel',
      keyId: hex(),
      contentKey: hex(),
      iv: hex(),
      rentalPeriodSeconds: 30 * 24 * 3600,
      rentalPlaySeconds: 48 * 3600,
      offlineAllowed: true,
    },
    {
      id: 'tears-of-steel',
      title: 'Tears of Steel',
      keyId: hex(),
      contentKey: hex(),
      iv: hex(),
      rentalPeriodSeconds: 7 * 24 * 3600,
      rentalPlaySeconds: 6 * 3600,
    },
  ];
}
