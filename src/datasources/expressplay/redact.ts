/**
 * Query parameters whose values are secrets: the API key, the CEK, a license token (anyone holding it can fetch
 * the license), and the key-wrapping pair. Matched case-insensitively, so a hand-typed `expressplaytoken` is
 * caught too.
 */
const SECRET_PARAMS = ['customerAuthenticator', 'contentKey', 'ExpressPlayToken', 'kek', 'ek'] as const;

const SECRET_PARAM_RE = new RegExp(`(^|[?&;\\s])(${SECRET_PARAMS.join('|')})=[^&#;\\s"'<>]*`, 'gi');

/**
 * Replaces the values of secret query parameters with `[REDACTED]` for logs. Works on a whole URL, a bare query or
 * form string, or any text that embeds such URLs (a `skd://` key URI, an error message); everything else is kept
 * as it is. Text is matched rather than parsed so that an unparsable URL is still redacted.
 */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAM_RE, '$1$2=[REDACTED]');
}
