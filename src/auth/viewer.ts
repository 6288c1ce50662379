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

export function createAuthenticator(config: AuthConfig & { jwtSecret: string | undefined }): Authenticator {
  const key: Uint8Array | JWTVerifyGetKey = config.jwksUrl
    ? createRemoteJWKSet(new URL(config.jwksUrl))
    : new TextEncoder().encode(requireSecret(config.jwtSecret));
  const algorithms = config.jwksUrl ? ['RS256'] : ['HS256'];

  return {
    async viewerFrom(authorization) {
      if (authorization === undefined || authorization.trim() === '') return null;
      const match = /^Bearer\s+([A-Za-z0-9._-]+)$/.exec(authorization.trim());
      if (!match) {
        throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".');
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(match[1]!, key as Uint8Array, {
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
        );
      }
      if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub)) {
        throw new UnauthenticatedError('Your token names no valid user in "sub".');
      }
      const roles = (payload as { roles?: unknown }).roles;
      return {
        userId: payload.sub,
        isAdmin: Array.isArray(roles) && roles.includes('admin'),
      };
    },
  };
}

function requireSecret(secret: string | undefined): string {
  if (!secret) throw new Error('No JWT secret: set AUTH_JWT_SECRET or AUTH_JWKS_URL');
  return secret;
}
