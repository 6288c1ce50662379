import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTH,
  AUTH_SECRET_PART,
  CEK,
  DEVICE,
  postToken,
  startTestSandbox,
  tokenForm,
  tokenOf,
  type Drm,
  type TestSandbox,
} from './fixture.js';

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await t.sandbox.close();
});

const TOKEN = /^[A-Za-z0-9_-]+$/;

describe('token generation: success', () => {
  it.each(['fp', 'wv'] as const)('%s answers text/uri-list with a license URL (POST form)', async (drm) => {
    const response = await postToken(t.url, drm, tokenForm(drm));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/uri-list/);
    const body = await response.text();
    const licenseUrl = body.trim();
    expect(licenseUrl.startsWith(`${t.url}/hms/${drm}/rights/?ExpressPlayToken=`)).toBe(true);
    expect(tokenOf(licenseUrl)).toMatch(TOKEN);
  });

  it.each(['fp', 'wv', 'pr'] as const)('%s accepts GET with the parameters in the query', async (drm) => {
    const response = await fetch(`${t.url}/hms/${drm}/token?${tokenForm(drm)}`);
    expect(response.status).toBe(200);
  });

  it('pr answers JSON with licenseAcquisitionUrl and token', async () => {
    const response = await postToken(t.url, 'pr', tokenForm('pr'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { licenseAcquisitionUrl: string; token: string };
    expect(body.licenseAcquisitionUrl).toBe(`${t.url}/playready/RightsManager.asmx`);
    expect(body.token).toMatch(TOKEN);
  });

  it('pr accepts a rental with period end and play duration', async () => {
    const rental = {
      rightsType: 'Rental',
      'rental.periodEndTime': '+3600',
      'rental.playDuration': '600',
      generalFlags: '00000001',
    };
    const form = tokenForm('pr', rental);
    expect((await postToken(t.url, 'pr', form)).status).toBe(200);
  });

  it('accepts a rental period end beyond 30 days: only the token lifetime is limited', async () => {
    const rental = {
      rightsType: 'Rental',
      'rental.periodEndTime': '2030-03-02T00:00:00Z',
      'rental.playDuration': '600',
      generalFlags: '00000001',
      expirationTime: '+3600',
    };
    expect((await postToken(t.url, 'pr', tokenForm('pr', rental))).status).toBe(200);
  });

  it('accepts the persistent flag for PlayReady and Widevine, and only the zero flags for FairPlay', async () => {
    const accepted: Array<[Drm, string]> = [
      ['pr', '00000000'],
      ['pr', '00000001'],
      ['wv', '00000000'],
      ['wv', '00000001'],
      ['wv', '0000'],
      ['fp', '00000000'],
      ['fp', '0000'],
    ];
    for (const [drm, generalFlags] of accepted) {
      const response = await postToken(t.url, drm, tokenForm(drm, { generalFlags }));
      expect(response.status, `${drm} ${generalFlags}`).toBe(200);
    }
  });

  it('accepts absolute and relative expiration times up to 30 days', async () => {
    const thirtyDays = '2030-01-31T00:00:00Z'; // the sandbox clock starts at 2030-01-01T00:00:00Z
    for (const expirationTime of ['+60', '+2592000', '2030-01-15T12:00:00Z', '2030-01-15T12:00:00.250Z', thirtyDays]) {
      const response = await postToken(t.url, 'fp', tokenForm('fp', { expirationTime }));
      expect(response.status, expirationTime).toBe(200);
    }
  });

  it('merges query and body parameters of a POST', async () => {
    const form = tokenForm('wv', { customerAuthenticator: null });
    const response = await fetch(`${t.url}/hms/wv/token?customerAuthenticator=${encodeURIComponent(AUTH)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(response.status).toBe(200);
  });

  it('builds license URLs on publicUrl when one is given', async () => {
    const other = await startTestSandbox({ publicUrl: 'https://fp.sandbox.example/' });
    try {
      const body = await (await postToken(other.url, 'fp', tokenForm('fp'))).text();
      expect(body.startsWith('https://fp.sandbox.example/hms/fp/rights/?ExpressPlayToken=')).toBe(true);
    } finally {
      await other.sandbox.close();
    }
  });

  it('mints opaque tokens: the content key is in neither the token nor its decoding', async () => {
    for (const drm of ['fp', 'wv', 'pr'] as const) {
      const response = await postToken(t.url, drm, tokenForm(drm));
      const body = await response.text();
      const token = drm === 'pr' ? (JSON.parse(body) as { token: string }).token : tokenOf(body.trim());
      const decoded = Buffer.from(token, 'base64url');
      expect(token.toLowerCase()).not.toContain(CEK);
      expect(decoded.toString('latin1').toLowerCase()).not.toContain(CEK);
      expect(decoded.toString('hex')).not.toContain(CEK);
      expect(decoded.includes(Buffer.from(CEK, 'hex'))).toBe(false);
    }
  });

  it('answers 404 for an unknown DRM', async () => {
    const response = await postToken(t.url, 'ms3', tokenForm('fp'));
    expect(response.status).toBe(404);
  });

  it('answers 405 for other methods', async () => {
    const response = await fetch(`${t.url}/hms/fp/token?errorFormat=json`, { method: 'PUT' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
  });
});

interface ErrorCase {
  readonly name: string;
  readonly drm: Drm;
  readonly overrides: Record<string, string | null>;
  readonly code: number;
  readonly status?: number;
}

const HEX31 = 'a'.repeat(31);
const WRONG_AUTH = `4242,${'fe'.repeat(16)}`;

const ERROR_CASES: ErrorCase[] = [
  ...(['fp', 'wv', 'pr'] as const).flatMap((drm): ErrorCase[] => [
    { name: 'authenticator missing', drm, overrides: { customerAuthenticator: null }, code: -2017, status: 401 },
    { name: 'authenticator unknown', drm, overrides: { customerAuthenticator: WRONG_AUTH }, code: -2018, status: 401 },
    { name: 'contentKey missing', drm, overrides: { contentKey: null }, code: -2027 },
    { name: 'contentKey short', drm, overrides: { contentKey: HEX31 }, code: -2027 },
    { name: 'contentKey not hex', drm, overrides: { contentKey: 'g'.repeat(32) }, code: -2027 },
    { name: 'kid not 32 hex', drm, overrides: { kid: HEX31 }, code: -4020 },
    { name: 'cookie too long', drm, overrides: { cookie: 'c'.repeat(33) }, code: -2033 },
    { name: 'expirationTime malformed', drm, overrides: { expirationTime: 'tomorrow' }, code: -2002 },
    {
      name: 'expirationTime with offset zone',
      drm,
      overrides: { expirationTime: '2030-01-02T00:00:00+01:00' },
      code: -2002,
    },
    { name: 'expirationTime impossible date', drm, overrides: { expirationTime: '2030-02-30T00:00:00Z' }, code: -2002 },
    { name: 'expirationTime in the past', drm, overrides: { expirationTime: '2029-12-31T23:59:59Z' }, code: -2002 },
    { name: 'expirationTime over 30 days', drm, overrides: { expirationTime: '+2592001' }, code: -2002 },
    { name: 'expirationTime 31 days ahead', drm, overrides: { expirationTime: '2030-02-01T00:00:00Z' }, code: -2002 },
    { name: 'expirationTime 31 days ahead, relative', drm, overrides: { expirationTime: '+2678400' }, code: -2002 },
    { name: 'generalFlags not hex', drm, overrides: { generalFlags: 'zzzzzzzz' }, code: -5003 },
    { name: 'generalFlags not 4 bytes', drm, overrides: { generalFlags: '0001' }, code: -5003 },
    { name: 'generalFlags unknown bit', drm, overrides: { generalFlags: '00000002' }, code: -5003 },
    { name: 'expirationTime with unencoded +', drm, overrides: { expirationTime: ' 60' }, code: -2002 },
    { name: 'deviceid not 32 hex', drm, overrides: { deviceid: 'abc' }, code: -5004 },
  ]),
  { name: 'kid missing', drm: 'wv', overrides: { kid: null }, code: -4018 },
  { name: 'kid missing', drm: 'pr', overrides: { kid: null }, code: -4018 },
  { name: 'iv missing', drm: 'fp', overrides: { iv: null }, code: -6003 },
  { name: 'iv malformed', drm: 'fp', overrides: { iv: HEX31 }, code: -6003 },
  { name: 'rentalDuration negative', drm: 'fp', overrides: { rentalDuration: '-1' }, code: -6007 },
  { name: 'rentalDuration fractional', drm: 'fp', overrides: { rentalDuration: '1.5' }, code: -6007 },
  { name: 'rightsType missing', drm: 'pr', overrides: { rightsType: null }, code: -2020 },
  { name: 'rightsType unknown', drm: 'pr', overrides: { rightsType: 'Lease' }, code: -2021 },
  {
    name: 'rental period end missing',
    drm: 'pr',
    overrides: { rightsType: 'Rental', 'rental.playDuration': '60' },
    code: -2022,
  },
  {
    name: 'rental period end malformed',
    drm: 'pr',
    overrides: { rightsType: 'Rental', 'rental.periodEndTime': 'soon', 'rental.playDuration': '60' },
    code: -2022,
  },
  {
    name: 'rental play duration missing',
    drm: 'pr',
    overrides: { rightsType: 'Rental', 'rental.periodEndTime': '+60' },
    code: -2023,
  },
  {
    name: 'rental play duration zero',
    drm: 'pr',
    overrides: { rightsType: 'Rental', 'rental.periodEndTime': '+60', 'rental.playDuration': '0' },
    code: -2025,
  },
  {
    name: 'generalFlags persistent (FairPlay allows only 0000)',
    drm: 'fp',
    overrides: { generalFlags: '00000001' },
    code: -5003,
  },
  {
    name: 'rental not persistent (no generalFlags)',
    drm: 'pr',
    overrides: { rightsType: 'Rental', 'rental.periodEndTime': '+60', 'rental.playDuration': '60' },
    code: -5003,
  },
  {
    name: 'rental not persistent (generalFlags 00000000)',
    drm: 'pr',
    overrides: {
      rightsType: 'Rental',
      'rental.periodEndTime': '+60',
      'rental.playDuration': '60',
      generalFlags: '00000000',
    },
    code: -5003,
  },
  { name: 'OPL missing', drm: 'pr', overrides: { uncompressedDigitalVideoOPL: null }, code: -5006 },
  { name: 'OPL out of range', drm: 'pr', overrides: { analogVideoOPL: '1000' }, code: -2034 },
  { name: 'securityLevel missing', drm: 'wv', overrides: { securityLevel: null }, code: -7003 },
  { name: 'securityLevel out of range', drm: 'wv', overrides: { securityLevel: '6' }, code: -7004 },
  { name: 'hdcpOutputControl missing', drm: 'wv', overrides: { hdcpOutputControl: null }, code: -7006 },
  { name: 'hdcpOutputControl out of range', drm: 'wv', overrides: { hdcpOutputControl: '6' }, code: -2034 },
  { name: 'licenseDuration malformed', drm: 'wv', overrides: { licenseDuration: 'ten' }, code: -7007 },
];

describe('token generation: errors (errorFormat=json)', () => {
  it.each(ERROR_CASES)('$drm: $name -> $code', async ({ drm, overrides, code, status = 400 }) => {
    const response = await postToken(t.url, drm, tokenForm(drm, overrides));
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    const body = JSON.parse(text) as { errorCode: number; errorMessage: string };
    expect(body.errorCode).toBe(code);
    expect(body.errorMessage).toEqual(expect.any(String));
    // Neither secret is ever echoed, whichever parameter was at fault.
    for (const secret of [AUTH_SECRET_PART, CEK, WRONG_AUTH.split(',')[1]]) {
      expect(text.toLowerCase()).not.toContain(secret);
    }
  });
});

describe('token generation: errors (HTML)', () => {
  it('answers text/html with the code and message by default', async () => {
    const form = tokenForm('wv', { errorFormat: null, customerAuthenticator: WRONG_AUTH });
    const response = await postToken(t.url, 'wv', form);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('-2018');
    expect(html).toContain('Authentication token invalid');
    expect(html).not.toContain(WRONG_AUTH.split(',')[1]);
    expect(html).not.toContain(CEK);
  });

  it('answers an invalid errorFormat with -3004, in HTML', async () => {
    const response = await postToken(t.url, 'fp', tokenForm('fp', { errorFormat: '<xml>' }));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('-3004');
    expect(html).toContain('&#60;xml&#62;');
    expect(html).not.toContain('<xml>');
  });
});

describe('an account without device binding for some DRMs', () => {
  it('refuses a device restriction for those DRMs with -6008 or -7002, and accepts tokens without one', async () => {
    const limited = await startTestSandbox({ noDeviceBinding: ['fp', 'wv'] });
    try {
      for (const [drm, code] of [
        ['fp', -6008],
        ['wv', -7002],
      ] as const) {
        const refused = await postToken(limited.url, drm, tokenForm(drm, { deviceid: DEVICE }));
        expect(refused.status).toBe(400);
        expect(await refused.json()).toEqual({
          errorCode: code,
          errorMessage: expect.stringMatching(/^Device ID binding is not supported/),
        });
        // The dummy token of a binding carries no device restriction, so binding itself still works.
        expect((await postToken(limited.url, drm, tokenForm(drm))).status).toBe(200);
      }
      expect((await postToken(limited.url, 'pr', tokenForm('pr', { deviceid: DEVICE }))).status).toBe(200);
    } finally {
      await limited.sandbox.close();
    }
  });
});
