import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SANDBOX_AUTHENTICATOR,
  sandboxOptionsFromEnv,
  SandboxEnvError,
} from '../../src/sandbox/sandbox-env.js';
import { createPlayClocks } from '../../src/sandbox/play-clocks.js';
import { RECENT_EVENTS, RecordLog, type NewLicenseEvent } from '../../src/sandbox/record-log.js';
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
  ])('refuses %s', (raw) => {
    expect(parseTimeParameter(raw, NOW)).toBeNull();
  });
});

describe('token codec', () => {
  const payload: TokenPayload = {
    id: 'x',
    drm: 'fp',
    kid: '00'.repeat(16),
    contentKey: '11'.repeat(16),
    iv: null,
    rights: { rightsType: 'BuyToOwn' },
    persistent: false,
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
      recordLogCapacity: 100_000,
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
        SANDBOX_RECORD_LOG_SIZE: '500',
        SANDBOX_NO_DEVICE_BINDING: 'fp, wv,fp',
      }),
    ).toEqual({
      port: 0,
      host: '0.0.0.0',
      customerAuthenticators: [a, b],
      publicUrl: 'https://sandbox.example',
      faults: { latencyMs: 250, errorRate: 0.25, outage: true },
      recordLogCapacity: 500,
      noDeviceBinding: ['fp', 'wv'],
    });
  });

  it('lists every bad variable at once, without echoing an authenticator', () => {
    try {
      sandboxOptionsFromEnv({
        SANDBOX_PORT: 'x',
        SANDBOX_CUSTOMER_AUTHENTICATOR: 'secret-value',
        SANDBOX_ERROR_RATE: '2',
        SANDBOX_OUTAGE: 'maybe',
        SANDBOX_RECORD_LOG_SIZE: '10',
        SANDBOX_NO_DEVICE_BINDING: 'pr',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SandboxEnvError);
      expect((error as SandboxEnvError).problems).toHaveLength(6);
      expect((error as Error).message).not.toContain('secret-value');
    }
  });
});

describe('record log', () => {
  const event = (cookie: string): NewLicenseEvent => ({
    cookie,
    device_id: 'ab'.repeat(16),
    drm: 'fp',
    outcome: 'granted',
    error_code: null,
  });
  const ids = (events: readonly { event_id: number }[]) => events.map((e) => e.event_id);

  it('keeps the newest `capacity` events, and event ids keep counting', () => {
    const log = new RecordLog(() => NOW, 40);
    for (let i = 0; i < 1000; i++) log.append(event(i % 2 === 0 ? 'even' : `odd-${i}`));
    expect(log.size()).toBe(40);
    expect(ids(log.recent(3))).toEqual([1000, 999, 998]);
    expect(log.byId(960)).toBeUndefined();
    expect(log.byId(961)?.event_id).toBe(961);
    expect(log.byId(1001)).toBeUndefined();
    // Paging by position over the whole log: evicted events are absent, held ones keep their position.
    expect(ids(log.window(955, 10))).toEqual([961, 962, 963, 964, 965]);
    expect(log.window(0, 200)).toEqual([]);
    expect(ids(log.window(990, 200))).toEqual([991, 992, 993, 994, 995, 996, 997, 998, 999, 1000]);
  });

  it('answers a cookie with its newest events, and forgets a cookie whose events are all gone', () => {
    const log = new RecordLog(() => NOW, 40);
    for (let i = 0; i < 100; i++) log.append(event('busy'));
    log.append(event('once'));
    expect(log.recentForCookie('busy')).toHaveLength(RECENT_EVENTS);
    expect(log.recentForCookie('busy')[0].event_id).toBe(100);
    expect(ids(log.recentForCookie('once'))).toEqual([101]);
    for (let i = 0; i < 40; i++) log.append(event('later'));
    expect(log.recentForCookie('once')).toEqual([]);
    expect(log.recentForCookie('busy')).toEqual([]);
    expect(log.recentForCookie('later')).toHaveLength(RECENT_EVENTS);
  });

  it('refuses a capacity smaller than one cookie page', () => {
    expect(() => new RecordLog(() => NOW, RECENT_EVENTS - 1)).toThrow(RangeError);
  });
});

describe('play clocks', () => {
  it('forget rentals whose period has ended once the map reaches its sweep size, and keep running ones', () => {
    const clocks = createPlayClocks();
    clocks.start('long', 0, 10_000, 0);
    for (let i = 0; i < 1022; i++) clocks.start(`short-${i}`, 0, 1000, 500);
    expect(clocks.size()).toBe(1023);
    clocks.start('late', 2000, 10_000, 2000);
    expect(clocks.size()).toBe(2);
    expect(clocks.startedAt('long')).toBe(0);
    expect(clocks.startedAt('late')).toBe(2000);
    expect(clocks.startedAt('short-0')).toBeUndefined();
  });
});
