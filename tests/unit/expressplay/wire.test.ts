import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/datasources/expressplay/http.js';
import { DEVICE_ID_PARAM as SANDBOX_DEVICE_ID_PARAM } from '../../../src/sandbox/token-service.js';
import { ExpressPlayRejectedError } from '../../../src/datasources/expressplay/errors.js';
import {
  DEVICE_ID_PARAM,
  formatExpressPlayTime,
  refusesDeviceId,
  refusesExpirationTime,
  refusesPersistentLicense,
  parseErrorCode,
  tokenUrl,
} from '../../../src/datasources/expressplay/wire.js';

describe('wire details', () => {
  it('spells the device restriction parameter as the seed documents do, the same as the sandbox', () => {
    // Two copies on purpose: the sandbox imports nothing from the service. This keeps them one spelling.
    expect(DEVICE_ID_PARAM).toBe('deviceid');
    expect(SANDBOX_DEVICE_ID_PARAM).toBe(DEVICE_ID_PARAM);
  });

  it('recognises the refusals the service turns into client codes', () => {
    const rejected = (code: number) => new ExpressPlayRejectedError('rejected', 'token', 400, code);
    expect(refusesPersistentLicense(rejected(-5003), { persistent: true })).toBe(true);
    expect(refusesPersistentLicense(rejected(-5003), {})).toBe(false); // not asked for: our bug, not the client's
    expect(refusesPersistentLicense(rejected(-2002), { persistent: true })).toBe(false);
    expect(refusesExpirationTime(rejected(-2002))).toBe(true);
    expect(refusesExpirationTime(rejected(-2033))).toBe(false);
    expect(refusesDeviceId(rejected(-5004))).toBe(true);
    expect(refusesDeviceId(rejected(-5005))).toBe(true);
    expect(refusesDeviceId(new Error('-5005'))).toBe(false);
  });

  it('formats times as RFC 3339 Z without milliseconds', () => {
    expect(formatExpressPlayTime(new Date('2026-05-06T07:08:09.999Z'))).toBe('2026-05-06T07:08:09Z');
    expect(() => formatExpressPlayTime(new Date('nope'))).toThrow(TypeError);
  });

  it('puts the DRM into the token host and path', () => {
    expect(tokenUrl('https://{drm}-gen.test.expressplay.com/', 'wv')).toBe(
      'https://wv-gen.test.expressplay.com/hms/wv/token',
    );
    expect(tokenUrl('http://127.0.0.1:4001', 'pr')).toBe('http://127.0.0.1:4001/hms/pr/token');
  });

  it('reads the numeric code from JSON error bodies only', () => {
    expect(parseErrorCode('{"errorCode":-2018,"errorMessage":"Authentication token invalid"}')).toBe(-2018);
    expect(parseErrorCode('{"errorCode":"-2033"}')).toBe(-2033);
    expect(parseErrorCode('<html>-2018</html>')).toBeUndefined();
    expect(parseErrorCode('{"errorCode":"abc"}')).toBeUndefined();
    expect(parseErrorCode('{broken')).toBeUndefined();
    expect(parseErrorCode(undefined)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped, never 0', () => {
    expect(backoffDelay(1, 100, 1000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 1000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 1000, () => 1)).toBe(400);
    expect(backoffDelay(10, 100, 1000, () => 1)).toBe(1000);
    expect(backoffDelay(1, 1, 1, () => 0)).toBe(1);
  });
});
