/**
 * The one redaction of secrets in free text, for anything that logs a message or a URL it did not write itself
 * (an unexpected error's message, an upstream URL). Text is matched rather than parsed, so that an unparsable URL
 * or a half-quoted JSON fragment is still redacted; everything that is not a secret is kept as it is.
 */

/**
 * Parameters whose values are secrets: the API key, the CEK, a license token (anyone holding it can fetch the
 * license), the key-wrapping pair and a credential. Matched case-insensitively (a hand-typed `expressplaytoken`)
 * and only as a whole name: not after a letter or digit, so `seek=` and `contentKeyId=` are left alone, but after
 * any punctuation (`?`, `&`, `(`, `"`, `,`, `_`) or a percent-encoded byte (`%3FcontentKey%3D…` in an encoded URL).
 */
const SECRET_PARAMS = ['customerAuthenticator', 'contentKey', 'ExpressPlayToken', 'kek', 'ek', 'authorization'];
const SECRET_PARAM_RE = new RegExp(
  String.raw`(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2}))(${SECRET_PARAMS.join('|')})(=|%3D)[^&#;\s"'<>]*`,
  'gi',
);

/** A customer authenticator wherever it appears, named or not: `<id>,<32 hex>`. */
const AUTHENTICATOR_RE = /\b\d+,[0-9a-fA-F]{32}\b/g;

/**
 * A value after a key-ish word and a separator (`"contentKey": "…"`, `dbPassword: …`; `name=value` is the rule
 * above). No boundary before the word: a name that ends in secret or password is as secret as the word itself.
 */
const KEYISH_VALUE_RE = /(contentKey|cek|secret|password)(["':\s]+)[^\s"',}]+/gi;

const BEARER_RE = /Bearer\s+[A-Za-z0-9._~+/-]+=*/g;

/** Replaces every secret in `text` with `[REDACTED]`, keeping the names so that a log still says what was there. */
export function redactSecrets(text: string): string {
  return text
    .replace(SECRET_PARAM_RE, '$1$2[REDACTED]')
    .replace(AUTHENTICATOR_RE, '[REDACTED]')
    .replace(KEYISH_VALUE_RE, '$1$2[REDACTED]')
    .replace(BEARER_RE, 'Bearer [REDACTED]');
}
