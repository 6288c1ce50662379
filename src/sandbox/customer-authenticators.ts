/**
 * The `customerAuthenticator` check shared by the token endpoints and record retrieval (-2017 missing, -2018
 * unknown; both HTTP 401).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode, ProtocolError } from './errors.js';

export const AUTHENTICATOR_FORMAT = /^\d+,[0-9a-fA-F]{32}$/;

export type AuthenticatorCheck = (params: URLSearchParams) => void;

export function createAuthenticatorCheck(accepted: readonly string[]): AuthenticatorCheck {
  if (accepted.length === 0) throw new RangeError('The sandbox needs at least one customer authenticator');
  for (const authenticator of accepted) {
    // The value is deliberately left out of the message: it is a credential, even in a sandbox.
    if (!AUTHENTICATOR_FORMAT.test(authenticator)) {
      throw new RangeError('Each customer authenticator must look like "<id>,<32 hex digits>"');
    }
  }
  // Compared as fixed-length digests in constant time: a sandbox teaches habits, and this is the right one.
  const digests = accepted.map(digest);

  return (params) => {
    const presented = params.get('customerAuthenticator');
    if (presented === null || presented === '') {
      throw new ProtocolError(ErrorCode.MissingAuthenticator, 401);
    }
    const candidate = digest(presented);
    let match = false;
    for (const known of digests) match = timingSafeEqual(known, candidate) || match;
    if (!match) throw new ProtocolError(ErrorCode.InvalidAuthenticator, 401);
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
