import { randomBytes } from 'node:crypto';

/** 128 bits from the CSPRNG as 32 lower-case hex: unguessable, and within ExpressPlay's 32-character limit. */
export function newCookie(): string {
  return randomBytes(16).toString('hex');
}
