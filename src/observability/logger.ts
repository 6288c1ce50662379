import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear in a logged object. Belt and braces: nothing should log these in
 * the first place, but a future `log.info({ content })` must not write a CEK to disk.
 */
const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  'contentKey',
  '*.contentKey',
  '*.*.contentKey',
  'customerAuthenticator',
  '*.customerAuthenticator',
  'token',
  '*.token',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'entitlement-api' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/**
 * Scrubs free text (error messages of unexpected errors) before it is logged: query-string secrets, customer
 * authenticators and 32-hex runs next to a key-ish word.
 */
export function scrubText(text: string): string {
  return text
    .replace(/(customerAuthenticator|contentKey|ExpressPlayToken|kek|ek|authorization)=([^&\s"']+)/gi, '$1=[REDACTED]')
    .replace(/\b\d+,[0-9a-fA-F]{32}\b/g, '[REDACTED]')
    .replace(/(contentKey|cek|secret|password)(["':\s]+)[^\s"',}]+/gi, '$1$2[REDACTED]')
    .replace(/Bearer\s+[A-Za-z0-9._-]+/g, 'Bearer [REDACTED]');
}
