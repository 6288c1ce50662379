/**
 * Who is calling. A request without a token has no viewer (fields that need one say UNAUTHENTICATED); a request
 * with a bad token is refused outright, so a client never silently runs as anonymous with a broken token.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config/config.js';
import { UnauthenticatedError } from '../errors/app-error.js';

export interface Viewer {
  readonly userId: string;
  readonly isAdmin: boolean;
}

export interface Authenticator {
  viewerFrom(authorization: string | undefined): Promise<Viewer | null>;
}

const USER_ID = /^[A-Za-z0-9._:@|-]{1,128}$/;

/** Verified tokens are remembered this long at most (and never past their expiry), this many at most. */
const CACHE_MS = 5 * 60_000;
const CACHE_ENTRIES = 10_000;

export function createAuthenticator(config: AuthConfig & { jwtSecret: string | undefined }): Authenticator {
  // An HMAC secret handed to jose as bytes is imported into WebCrypto on every verification; import it once.
  const key: Promise<CryptoKey> | JWTVerifyGetKey = config.jwksUrl
    ? createRemoteJWKSet(new URL(config.jwksUrl))
    : crypto.subtle.importKey(
        'raw',
        new TextEncoder().encode(requireSecret(config.jwtSecret)),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['verify'],
      );
  const algorithms = config.jwksUrl ? ['RS256'] : ['HS256'];
  // A client sends the same token with every request until it expires: verifying it once saves a signature
  // check per request. Insertion order makes the Map a FIFO for eviction.
  const verified = new Map<string, { viewer: Viewer; until: number }>();

  return {
    async viewerFrom(authorization) {
      if (authorization === undefined || authorization.trim() === '') return null;
      const match = /^Bearer\s+([A-Za-z0-9._-]+)$/.exec(authorization.trim());
      if (!match) {
        throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".', 'MALFORMED_HEADER');
      }
      const token = match[1]!;
      const hit = verified.get(token);
      if (hit && hit.until > Date.now()) return hit.viewer;
      if (hit) verified.delete(token);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key instanceof Promise ? await key : key, {
          algorithms,
          issuer: config.issuer,
          audience: config.audience,
          requiredClaims: ['sub', 'exp'],
        }));
      } catch (error) {
        const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
        throw new UnauthenticatedError(
          expired
            ? 'Your token has expired. Get a new one and send it as "Authorization: Bearer <token>".'
            : 'Your token could not be verified (bad signature, wrong issuer or audience, or missing "sub"/"exp").',
          expired ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID',
        );
      }
      if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub)) {
        throw new UnauthenticatedError('Your token names no valid user in "sub".', 'TOKEN_INVALID');
      }
      const roles = (payload as { roles?: unknown }).roles;
      const viewer: Viewer = { userId: payload.sub, isAdmin: Array.isArray(roles) && roles.includes('admin') };
      if (verified.size >= CACHE_ENTRIES) verified.delete(verified.keys().next().value!);
      verified.set(token, { viewer, until: Math.min(payload.exp! * 1000, Date.now() + CACHE_MS) });
      return viewer;
    },
  };
}

function requireSecret(secret: string | undefined): string {
  if (!secret) throw new Error('No JWT secret: set AUTH_JWT_SECRET or AUTH_JWKS_URL');
  return secret;
}
