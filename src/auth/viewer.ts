/**
 * Who is calling. A request without a token has no viewer (fields that need one say UNAUTHENTICATED); a request
 * with a bad token is refused outright, so a client never silently runs as anonymous with a broken token.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config/config.js';
import { ForbiddenError, UnauthenticatedError } from '../errors/app-error.js';

export interface Viewer {
  readonly userId: string;
  readonly isAdmin: boolean;
}

/** FORBIDDEN for a viewer without the admin role; `what` says what only admins may do. */
export function requireAdmin(viewer: Viewer, what = 'do this'): void {
  if (!viewer.isAdmin) throw new ForbiddenError(`Only admins can ${what} (token role "admin").`);
}

export interface Authenticator {
  viewerFrom(authorization: string | undefined): Promise<Viewer | null>;
}

const USER_ID = /^[A-Za-z0-9._:@|-]{1,128}$/;

/** The auth scheme's name is case-insensitive (RFC 7235 section 2.1): `bearer` and `BEARER` are `Bearer`. */
const BEARER = /^Bearer\s+([A-Za-z0-9._-]+)$/i;

/**
 * How far an issuer's clock may run ahead of ours when the lifetime is judged from `exp` alone: a token minted
 * with exactly the longest lifetime by a slightly fast clock is still accepted.
 */
const CLOCK_SKEW_SECONDS = 60;

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
      const match = BEARER.exec(authorization.trim());
      if (!match) {
        throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".', 'MALFORMED_HEADER');
      }
      const token = match[1];
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
      const tooLong = lifetimeProblem(payload, config.maxTokenLifetimeSeconds);
      if (tooLong) throw new UnauthenticatedError(tooLong, 'TOKEN_INVALID');
      const roles = (payload as { roles?: unknown }).roles;
      const viewer: Viewer = { userId: payload.sub, isAdmin: Array.isArray(roles) && roles.includes('admin') };
      if (verified.size >= CACHE_ENTRIES) verified.delete(verified.keys().next().value!);
      verified.set(token, { viewer, until: Math.min(payload.exp! * 1000, Date.now() + CACHE_MS) });
      return viewer;
    },
  };
}

/**
 * Why a verified token lives too long, or undefined. `exp` is checked against now (a token that stays valid
 * longer than the limit from here on) and, when the token says when it was issued, against `iat`.
 */
function lifetimeProblem(payload: JWTPayload, maxSeconds: number): string | undefined {
  const exp = payload.exp!;
  const left = exp - Date.now() / 1000;
  const lifetime = typeof payload.iat === 'number' ? exp - payload.iat : undefined;
  if (left <= maxSeconds + CLOCK_SKEW_SECONDS && (lifetime === undefined || lifetime <= maxSeconds)) return undefined;
  return (
    `Your token is valid for longer than this service accepts (its "exp" must be at most ${maxSeconds} seconds ` +
    'after "iat" and from now). Get a shorter-lived token and send it as "Authorization: Bearer <token>".'
  );
}

function requireSecret(secret: string | undefined): string {
  if (!secret) throw new Error('No JWT secret: set AUTH_JWT_SECRET or AUTH_JWKS_URL');
  return secret;
}
