import { SignJWT } from 'jose';

/** Half the default AUTH_MAX_TOKEN_LIFETIME (24 h), so a default token is always accepted. */
export const DEV_TOKEN_TTL_SECONDS = 12 * 3600;

/** An HS256 token for development and tests, signed with the service's secret. */
export async function signDevToken(
  secret: string,
  userId: string,
  options: { admin?: boolean; ttlSeconds?: number } = {},
): Promise<string> {
  return new SignJWT({ roles: options.admin ? ['admin'] : [] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? DEV_TOKEN_TTL_SECONDS}s`)
    .sign(new TextEncoder().encode(secret));
}
