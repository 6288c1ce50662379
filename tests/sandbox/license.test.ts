import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CEK,
  COOKIE,
  DEVICE,
  getrecord,
  IV,
  KID,
  licenseUrlFor,
  OTHER_DEVICE,
  redeem,
  startTestSandbox,
  tokenOf,
  type TestSandbox,
} from './fixture.js';

let t: TestSandbox;

beforeEach(async () => {
  t = await startTestSandbox();
});
afterEach(async () => {
  await t.sandbox.close();
});

async function events(query: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  return (await (await getrecord(t.url, query)).json()) as Record<string, unknown>[];
}

describe('license redemption', () => {
  it.each(['fp', 'wv', 'pr'] as const)('%s grants the bound device its key', async (drm) => {
    const licenseUrl = await licenseUrlFor(t.url, drm, { deviceid: DEVICE });
    const { status, body } = await redeem(licenseUrl, DEVICE);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      keyId: KID,
      contentKey: CEK,
      rights: { rightsType: 'BuyToOwn' },
      persistent: false,
      expiresAt: null,
    });
  });

  it.each(['wv', 'pr'] as const)('%s says in the license that it is persistent when generalFlags asks', async (drm) => {
    const licenseUrl = await licenseUrlFor(t.url, drm, { deviceid: DEVICE, generalFlags: '00000001' });
    const { status, body } = await redeem(licenseUrl, DEVICE);
    expect(status).toBe(200);
    expect(body).toMatchObject({ rights: { rightsType: 'BuyToOwn' }, persistent: true });
  });

  it('carries the DRM output restrictions into the license rights', async () => {
    const wv = await redeem(await licenseUrlFor(t.url, 'wv', { securityLevel: '3', hdcpOutputControl: '2' }), DEVICE);
    expect(wv.body.rights).toEqual({ rightsType: 'BuyToOwn', securityLevel: 3, hdcpOutputControl: 2 });
    const pr = await redeem(await licenseUrlFor(t.url, 'pr', { analogVideoOPL: '150' }), DEVICE);
    expect(pr.body.rights).toMatchObject({ rightsType: 'BuyToOwn', analogVideoOPL: 150, compressedDigitalVideoOPL: 0 });
  });

  it('grants any device when the token has no device restriction (the dummy binding token)', async () => {
    const licenseUrl = await licenseUrlFor(t.url, 'fp');
    expect((await redeem(licenseUrl, DEVICE)).status).toBe(200);
    expect((await redeem(licenseUrl, OTHER_DEVICE)).status).toBe(200);
  });

  it('gives a FairPlay token without kid a stable derived key id', async () => {
    const first = await redeem(await licenseUrlFor(t.url, 'fp', { kid: null }), DEVICE);
    const second = await redeem(await licenseUrlFor(t.url, 'fp', { kid: null }), DEVICE);
    expect(first.body.keyId).toMatch(/^[0-9a-f]{32}$/);
    expect(first.body.keyId).toBe(second.body.keyId);
    expect(first.body.keyId).not.toBe(CEK);
  });

  it('refuses another device with -4001', async () => {
    const licenseUrl = await licenseUrlFor(t.url, 'fp', { deviceid: DEVICE });
    expect(await redeem(licenseUrl, OTHER_DEVICE)).toEqual({
      status: 403,
      body: { errorCode: -4001, errorMessage: 'Device could not be authenticated' },
    });
  });

  it('restricts by deviceid only: a deviceId (another parameter, names are case-sensitive) restricts nothing', async () => {
    const misspelt = await licenseUrlFor(t.url, 'pr', { deviceId: DEVICE });
    expect((await redeem(misspelt, OTHER_DEVICE)).status).toBe(200);
    const restricted = await licenseUrlFor(t.url, 'pr', { deviceid: DEVICE });
    expect((await redeem(restricted, OTHER_DEVICE)).body.errorCode).toBe(-4001);
  });

  it('compares device ids regardless of hex case', async () => {
    const licenseUrl = await licenseUrlFor(t.url, 'wv', { deviceid: DEVICE.toUpperCase() });
    expect((await redeem(licenseUrl, DEVICE)).status).toBe(200);
  });

  it('refuses a tampered token with -4010 Invalid token', async () => {
    const licenseUrl = await licenseUrlFor(t.url, 'fp');
    const token = tokenOf(licenseUrl);
    const at = Math.floor(token.length / 2);
    const tampered = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    const { status, body } = await redeem(licenseUrl.replace(token, tampered), DEVICE);
    expect(status).toBe(403);
    expect(body).toEqual({ errorCode: -4010, errorMessage: 'Invalid token' });
  });

  it('refuses a missing token, a token from another sandbox, and a token for another DRM', async () => {
    const fpUrl = await licenseUrlFor(t.url, 'fp');
    expect((await redeem(`${t.url}/hms/fp/rights/`, DEVICE)).body.errorCode).toBe(-4010);

    const other = await startTestSandbox();
    try {
      const foreign = tokenOf(await licenseUrlFor(other.url, 'fp'));
      expect((await redeem(`${t.url}/hms/fp/rights/?ExpressPlayToken=${foreign}`, DEVICE)).body.errorCode).toBe(-4010);
    } finally {
      await other.sandbox.close();
    }

    const asWidevine = fpUrl.replace('/hms/fp/rights/', '/hms/wv/rights/');
    expect(await redeem(asWidevine, DEVICE)).toEqual({
      status: 403,
      body: { errorCode: -4010, errorMessage: 'Invalid token' },
    });
  });

  it('refuses an expired token with -4010 Expired token', async () => {
    const licenseUrl = await licenseUrlFor(t.url, 'pr', { expirationTime: '+60' });
    t.clock.advance(59);
    expect((await redeem(licenseUrl, DEVICE)).status).toBe(200);
    t.clock.advance(1);
    expect(await redeem(licenseUrl, DEVICE)).toEqual({
      status: 403,
      body: { errorCode: -4010, errorMessage: 'Expired token' },
    });
  });

  it.each([
    ['fp', -6004],
    ['wv', -7008],
    ['pr', -5005],
  ] as const)('%s answers an unreadable SPC with HTTP 400 and %i', async (drm, code) => {
    const licenseUrl = await licenseUrlFor(t.url, drm);
    const unreadable = [
      'not json',
      JSON.stringify({ sandboxSpc: 2, deviceId: DEVICE }),
      JSON.stringify({ sandboxSpc: 1, deviceId: 'abc' }),
    ];
    for (const raw of unreadable) {
      const { status, body } = await redeem(licenseUrl, DEVICE, raw);
      expect(status).toBe(400);
      expect(body.errorCode).toBe(code);
    }
  });

  it('answers 405 to a GET on a license URL', async () => {
    const licenseUrl = await licenseUrlFor(t.url, 'fp');
    expect((await fetch(licenseUrl)).status).toBe(405);
    expect(await events()).toEqual([]);
  });
});

describe('rentals', () => {
  it('starts the play clock at the first license and refuses after the play duration (fp rentalDuration)', async () => {
    const start = t.clock.now();
    const periodEnd = new Date(start.getTime() + 3600_000).toISOString();
    const licenseUrl = await licenseUrlFor(t.url, 'fp', { rentalDuration: '100', expirationTime: periodEnd });
    const first = await redeem(licenseUrl, DEVICE);
    expect(first.status).toBe(200);
    expect(first.body.rights).toMatchObject({ rightsType: 'Rental', playDuration: 100 });
    const playEnd = new Date(start.getTime() + 100_000).toISOString();
    expect(first.body.expiresAt).toBe(playEnd);

    t.clock.advance(99);
    const again = await redeem(licenseUrl, DEVICE);
    expect(again).toMatchObject({ status: 200, body: { expiresAt: playEnd } });

    // A fresh token for the same rental (cookie, key and period end) shares the clock: it cannot restart it.
    const fresh = await licenseUrlFor(t.url, 'fp', { rentalDuration: '100', expirationTime: periodEnd });
    t.clock.advance(1);
    for (const url of [licenseUrl, fresh]) {
      const late = await redeem(url, DEVICE);
      expect(late.status).toBe(403);
      expect(late.body.errorCode).toBe(-4010);
      expect(late.body.errorMessage).toMatch(/^Expired token/);
    }

    // Renting the title again is a new period end, and a new play clock.
    const rentedAgain = await licenseUrlFor(t.url, 'fp', { rentalDuration: '100', expirationTime: '+3600' });
    expect(await redeem(rentedAgain, DEVICE)).toMatchObject({ status: 200 });
  });

  it('ends a license at the window end when that comes first (wv licenseDuration)', async () => {
    const licenseUrl = await licenseUrlFor(t.url, 'wv', { licenseDuration: '7200', expirationTime: '+600' });
    const first = await redeem(licenseUrl, DEVICE);
    expect(first.body.expiresAt).toBe(new Date(t.clock.now().getTime() + 600_000).toISOString());
  });

  it('refuses after the rental period end even if play time remains (pr)', async () => {
    const licenseUrl = await licenseUrlFor(t.url, 'pr', {
      rightsType: 'Rental',
      'rental.periodEndTime': '+200',
      'rental.playDuration': '1000',
      generalFlags: '00000001',
    });
    const first = await redeem(licenseUrl, DEVICE);
    expect(first.body).toMatchObject({
      rights: { rightsType: 'Rental', playDuration: 1000 },
      persistent: true,
      expiresAt: new Date(t.clock.now().getTime() + 200_000).toISOString(),
    });
    t.clock.advance(200);
    const late = await redeem(licenseUrl, DEVICE);
    expect(late).toMatchObject({ status: 403, body: { errorCode: -4010 } });
    expect(late.body.errorMessage).toMatch(/^Expired token/);
  });

  it('does not start the play clock on a refused request', async () => {
    const licenseUrl = await licenseUrlFor(t.url, 'fp', { rentalDuration: '10', deviceid: DEVICE });
    expect((await redeem(licenseUrl, OTHER_DEVICE)).status).toBe(403);
    t.clock.advance(60);
    expect((await redeem(licenseUrl, DEVICE)).status).toBe(200);
  });
});

describe('transaction log', () => {
  it('logs every license request, granted or denied, with cookie, device and code', async () => {
    const bound = await licenseUrlFor(t.url, 'fp', { deviceid: DEVICE });
    const pr = await licenseUrlFor(t.url, 'pr', { cookie: 'other-cookie' });
    await redeem(bound, DEVICE);
    await redeem(bound, OTHER_DEVICE);
    await redeem(bound.replace(tokenOf(bound), 'garbage'), DEVICE);
    await redeem(pr, DEVICE, 'unreadable');
    t.clock.advance(5);
    await redeem(pr, OTHER_DEVICE);

    const log = await events();
    const t0 = '2030-01-01T00:00:00.000Z';
    const t5 = '2030-01-01T00:00:05.000Z';
    const other = 'other-cookie';
    const them = OTHER_DEVICE;
    expect(log).toEqual([
      { event_id: 5, time: t5, cookie: other, device_id: them, drm: 'pr', outcome: 'granted', error_code: null },
      { event_id: 4, time: t0, cookie: other, device_id: '', drm: 'pr', outcome: 'denied', error_code: -5005 },
      { event_id: 3, time: t0, cookie: '', device_id: DEVICE, drm: 'fp', outcome: 'denied', error_code: -4010 },
      { event_id: 2, time: t0, cookie: COOKIE, device_id: them, drm: 'fp', outcome: 'denied', error_code: -4001 },
      { event_id: 1, time: t0, cookie: COOKIE, device_id: DEVICE, drm: 'fp', outcome: 'granted', error_code: null },
    ]);
    // Only the token's cookie and the SPC's device are logged: nothing of the key material.
    expect(JSON.stringify(log)).not.toContain(CEK);
    expect(JSON.stringify(log)).not.toContain(IV);
  });
});
