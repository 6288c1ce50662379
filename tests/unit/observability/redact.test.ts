import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../src/observability/redact.js';

describe('redactSecrets', () => {
  it('redacts the secret parameters of a URL and keeps the rest', () => {
    const base = 'https://api.test.expressplay.com/cmiapi/getrecord/';
    expect(redactSecrets(`${base}?customerAuthenticator=4242%2Cabc&cookie=c00k1e&errorFormat=json`)).toBe(
      `${base}?customerAuthenticator=[REDACTED]&cookie=c00k1e&errorFormat=json`,
    );
    expect(redactSecrets('https://x/t?contentKey=cek&kid=k&kek=kk&ek=e&iv=v')).toBe(
      'https://x/t?contentKey=[REDACTED]&kid=k&kek=[REDACTED]&ek=[REDACTED]&iv=v',
    );
  });

  it('redacts license tokens, in any case, inside longer text and skd:// URIs', () => {
    expect(redactSecrets('skd://fp.service.expressplay.com:80/hms/fp/rights/?ExpressPlayToken=AQAB-_x#frag')).toBe(
      'skd://fp.service.expressplay.com:80/hms/fp/rights/?ExpressPlayToken=[REDACTED]#frag',
    );
    expect(redactSecrets('failed: GET http://h/p?expressplaytoken=abc and more')).toBe(
      'failed: GET http://h/p?expressplaytoken=[REDACTED] and more',
    );
  });

  it('works on a bare form body and leaves look-alike names alone', () => {
    expect(redactSecrets('customerAuthenticator=a&contentKeyId=x&seek=1&contentKey=b')).toBe(
      'customerAuthenticator=[REDACTED]&contentKeyId=x&seek=1&contentKey=[REDACTED]',
    );
    expect(redactSecrets('mykek=1 seek=2 Authorizations=3')).toBe('mykek=1 seek=2 Authorizations=3');
    expect(redactSecrets('https://example.com/plain')).toBe('https://example.com/plain');
  });

  // The boundaries where the two former redactions disagreed: one wanted ?, &, ; or a space before the name (and
  // missed the cases below), the other wanted nothing (and redacted seek=, mykek= above).
  it.each([
    ['after a parenthesis', 'bad URL (contentKey=00112233)', 'bad URL (contentKey=[REDACTED]'],
    ['after a quote', 'url "ExpressPlayToken=AQAB"', 'url "ExpressPlayToken=[REDACTED]"'],
    ['after a comma', 'a=1,kek=s3cr3t', 'a=1,kek=[REDACTED]'],
    ['after a slash', 'p/ek=s3cr3t', 'p/ek=[REDACTED]'],
    ['after an underscore', 'x_contentKey=abc', 'x_contentKey=[REDACTED]'],
    ['percent-encoded in another URL', 'next=%2Fp%3FcontentKey%3Dabc', 'next=%2Fp%3FcontentKey%3D[REDACTED]'],
    ['at the very start', 'ek=abc', 'ek=[REDACTED]'],
  ])('redacts a secret parameter %s', (_where, text, redacted) => {
    expect(redactSecrets(text)).toBe(redacted);
  });

  it('redacts authenticators, key-ish values and bearer tokens in free text', () => {
    expect(redactSecrets('auth 4242,0123456789abcdef0123456789ABCDEF refused')).toBe('auth [REDACTED] refused');
    expect(redactSecrets('{"contentKey": "00ff", "cek":"aa", "dbPassword": hunter2, "clientSecret": "xyz"}')).toBe(
      '{"contentKey": "[REDACTED]", "cek":"[REDACTED]", "dbPassword": [REDACTED], "clientSecret": "[REDACTED]"}',
    );
    expect(redactSecrets('header Bearer eyJhbGciOi.eyJzdWIi.c2ln+/= end')).toBe('header Bearer [REDACTED] end');
  });
});
