import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SANDBOX_AUTHENTICATOR,
  sandboxOptionsFromEnv,
  SandboxEnvError,
} from '../../src/sandbox/sandbox-env.js';
import { parseTimeParameter } from '../../src/sandbox/time-parameter.js';
import { createTokenCodec, type TokenPayload } from '../../src/sandbox/token-codec.js';

const NOW = new Date('2030-01-01T00:00:00Z');

describe('parseTimeParameter', () => {
  it.each([
    ['+60', '2030-01-01T00:01:00.000Z'],
    ['2030-02-28T23:59:59Z', '2030-02-28T23:59:59.000Z'],
    ['2030-01-01T00:00:00.5Z', '2030-01-01T00:00:00.500Z'],
  ])('reads %s', (raw, iso) => {
    expect(parseTimeParameter(raw, NOW)?.toISOString()).toBe(iso);
  });

  it.each([
    '60',
    '+',
    '-60',
    '+1.5',
    '2030-01-01',
    '2030-01-01T00:00:00',
    '2030-01-01T00:00:00+00:00',
    '2030-13-01T00:00:00Z',
    '2030-02-29T00:00:00Z',
    '2030-01-01t00:00:00z',
  ])(
    'refuses %s',
    (raw) => {
      expect(parseTimeParameter(raw, NOW)).toBeNull();
    },
  );
});

describe('token codec', () => {
  const payload: TokenPayload = {
    id: 'x',
    drm: 'fp',
    kid: '00'.repeat(16),
    contentKey: '11'.repeat(16),
    iv: null,
    rights: { rightsType: 'BuyToOwn' },
    restrictions: {},
    cookie: 'c',
    deviceId: null,
    issuedAt: NOW.toISOString(),
    expiresAt: NOW.toISOString(),
  };

  it('opens what it sealed, and nothing sealed under another key', () => {
    const codec = createTokenCodec(randomBytes(32));
    const token = codec.seal(payload);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(codec.open(token)).toEqual(payload);
    expect(createTokenCodec(randomBytes(32)).open(token)).toBeNull();
    expect(codec.open(`${token}A`)).toBeNull();
    expect(codec.open('')).toBeNull();
    expect(codec.open('not a token!')).toBeNull();
  });

  it('wants a 32-byte key', () => {
    expect(() => createTokenCodec(randomBytes(16))).toThrow(RangeError);
  });
});

describe('sandboxOptionsFromEnv', () => {
  it('defaults to port 4001 on loopback with the well-known authenticator and no faults', () => {
    expect(sandboxOptionsFromEnv({})).toEqual({
      port: 4001,
      host: '127.0.0.1',
      customerAuthenticators: [DEFAULT_SANDBOX_AUTHENTICATOR],
      faults: { latencyMs: 0, errorRate: 0, outage: false },
    });
  });

  it('reads every variable', () => {
    const a = `7,${'ab'.repeat(16)}`;
    const b = `8,${'cd'.repeat(16)}`;
    expect(
      sandboxOptionsFromEnv({
        SANDBOX_PORT: '0',
        SANDBOX_HOST: '0.0.0.0',
        SANDBOX_CUSTOMER_AUTHENTICATOR: `${a}; ${b}`,
        SANDBOX_PUBLIC_URL: 'https://sandbox.example',
        SANDBOX_LATENCY_MS: '250',
        SANDBOX_ERROR_RATE: '0.25',
        SANDBOX_OUTAGE: 'true',
      }),
    ).toEqual({
      port: 0,
      host: '0.0.0.0',
      customerAuthenticators: [a, b],
      publicUrl: 'https://sandbox.example',
      faults: { latencyMs: 250, errorRate: 0.25, outage: true },
    });
  });

  it('lists every bad variable at once, without echoing an authenticator', () => {
    try {
      sandboxOptionsFromEnv({
        SANDBOX_PORT: 'x',
        SANDBOX_CUSTOMER_AUTHENTICATOR: 'secret-value',
        SANDBOX_ERROR_RATE: '2',
        SANDBOX_OUTAGE: 'maybe',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SandboxEnvError);
      expect((error as SandboxEnvError).problems).toHaveLength(4);
      expect((error as Error).message).not.toContain('secret-value');
    }
  });
});
