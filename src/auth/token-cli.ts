/**
 * `npm run token -- <user> [--admin] [--ttl <seconds>]`: prints a development token signed with the service's
 * secret (AUTH_JWT_SECRET, or the embedded default kept in the data folder).
 */
import { ConfigError, loadConfig } from '../config/config.js';
import { resolveSecrets } from '../config/dev-secrets.js';
import { DEV_TOKEN_TTL_SECONDS, signDevToken } from './dev-token.js';

const args = process.argv.slice(2);
const user = args.find((a) => !a.startsWith('--'));
const ttlIndex = args.indexOf('--ttl');
const ttlSeconds = ttlIndex >= 0 ? Number(args[ttlIndex + 1]) : undefined;
if (!user || (ttlSeconds !== undefined && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0))) {
  process.stderr.write('usage: npm run token -- <user> [--admin] [--ttl <seconds>]\n');
  process.exit(2);
}
try {
  const config = loadConfig(process.env);
  if (config.auth.jwksUrl) {
    process.stderr.write('AUTH_JWKS_URL is set: tokens come from your identity provider, not from this command.\n');
    process.exit(2);
  }
  // A longer token would only be refused by the service (AUTH_MAX_TOKEN_LIFETIME).
  const maxTtl = config.auth.maxTokenLifetimeSeconds;
  if (ttlSeconds !== undefined && ttlSeconds > maxTtl) {
    process.stderr.write(
      `--ttl may be at most ${maxTtl} seconds (AUTH_MAX_TOKEN_LIFETIME); the service refuses longer-lived tokens.\n`,
    );
    process.exit(2);
  }
  const { jwtSecret } = await resolveSecrets(config);
  const token = await signDevToken(jwtSecret!, user, {
    admin: args.includes('--admin'),
    ttlSeconds: ttlSeconds ?? Math.min(DEV_TOKEN_TTL_SECONDS, maxTtl),
  });
  process.stdout.write(`${token}\n`);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  throw error;
}
