import { SignJWT } from 'jose';

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
    .setExpirationTime(`${options.ttlSeconds ?? 12 * 3600}s`)
    .sign(new TextEncoder().encode(secret));
}
