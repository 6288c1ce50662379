import type { ContentRecord, EntitlementRecord } from '../store/types.js';

/** A rental may be started until the end of its window; the window is the catalog's, never the client's. */
export function rentalWindowEnd(content: ContentRecord, rentedAt: Date): Date {
  return new Date(rentedAt.getTime() + content.rentalPeriodSeconds * 1000);
}

export function isExpired(entitlement: EntitlementRecord, at: Date): boolean {
  return entitlement.expiresAt !== null && entitlement.expiresAt.getTime() <= at.getTime();
}
