import { afterEach, describe, expect, it } from 'vitest';
import { ExpressPlayUnavailableError } from '../../../src/datasources/expressplay/errors.js';
import type { TokenRequest } from '../../../src/datasources/expressplay/types.js';
import { startFakeExpressPlay, type FakeExpressPlay, type FakeHandler } from '../../helpers/fake-upstream.js';
import {
  AUTHENTICATOR,
  AUTH_SECRET,
  CEK,
  COOKIE,
  DEVICE,
  FP_LICENSE_URL,
  IV,
  KID,
  fpBuy,
  rejectionOf,
  testClient,
} from './support.js';

let fake: FakeExpressPlay | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(handler: FakeHandler): Promise<FakeExpressPlay> {
  fake = await startFakeExpressPlay(handler);
  return fake;
}

const uriList = (body: string) => () => ({ status: 200, contentType: 'text/uri-list', body });
const prJson = {
  licenseAcquisitionUrl: 'https://pr.test.expressplay.com/playready/RightsManager.asmx',
  token: 'AQAAB-_prToken',
};
const okFor: FakeHandler = (req) =>
  req.path.includes('/hms/pr/')
    ? { status: 200, contentType: 'application/json', body: JSON.stringify(prJson) }
    : { status: 200, contentType: 'text/uri-list', body: `${FP_LICENSE_URL}\r\n` };

const periodEndTime = new Date('2026-03-01T10:00:00.789Z');
const rental = { type: 'Rental', periodEndTime, playDurationSeconds: 7200 } as const;
const common = {
  customerAuthenticator: AUTHENTICATOR,
  errorFormat: 'json',
  contentKey: CEK,
  kid: KID,
  cookie: COOKIE,
  deviceid: DEVICE,
};
const OPLS = {
  analogVideoOPL: '0',
  compressedDigitalAudioOPL: '0',
  compressedDigitalVideoOPL: '0',
  uncompressedDigitalAudioOPL: '0',
  uncompressedDigitalVideoOPL: '0',
};

describe('token requests: the form sent per DRM and rights type', () => {
  const cases: Array<[string, TokenRequest, Record<string, string>]> = [
    ['fp BuyToOwn', fpBuy, { ...common, iv: IV }],
    [
      'fp BuyToOwn with an explicit expiry',
      { ...fpBuy, expirationTime: new Date('2026-02-01T00:00:00.500Z') },
      { ...common, iv: IV, expirationTime: '2026-02-01T00:00:00Z' },
    ],
    ['fp Rental', { ...fpBuy, rights: rental }, { ...common, iv: IV, rentalDuration: '7200' }],
    [
      'fp Rental with a token expiry before the window end',
      { ...fpBuy, rights: rental, expirationTime: new Date('2026-02-01T01:00:00Z') },
      { ...common, iv: IV, rentalDuration: '7200', expirationTime: '2026-02-01T01:00:00Z' },
    ],
    [
      'fp BuyToOwn persistent (FairPlay refuses the flag: ExpressPlay says so, not the client)',
      { ...fpBuy, persistent: true },
      { ...common, iv: IV, generalFlags: '00000001' },
    ],
    [
      'wv BuyToOwn persistent',
      { ...fpBuy, drm: 'wv', iv: undefined, persistent: true },
      { ...common, securityLevel: '1', hdcpOutputControl: '0', generalFlags: '00000001' },
    ],
    [
      'pr BuyToOwn persistent',
      { ...fpBuy, drm: 'pr', iv: undefined, persistent: true },
      { ...common, rightsType: 'BuyToOwn', ...OPLS, generalFlags: '00000001' },
    ],
    ['wv BuyToOwn', { ...fpBuy, drm: 'wv', iv: undefined }, { ...common, securityLevel: '1', hdcpOutputControl: '0' }],
    [
      'wv Rental',
      { ...fpBuy, drm: 'wv', iv: undefined, rights: rental },
      {
        ...common,
        securityLevel: '1',
        hdcpOutputControl: '0',
        licenseDuration: '7200',
      },
    ],
    ['pr BuyToOwn', { ...fpBuy, drm: 'pr', iv: undefined }, { ...common, rightsType: 'BuyToOwn', ...OPLS }],
    [
      'pr Rental',
      { ...fpBuy, drm: 'pr', iv: undefined, rights: rental },
      {
        ...common,
        rightsType: 'Rental',
        ...OPLS,
        'rental.periodEndTime': '2026-03-01T10:00:00Z',
        'rental.playDuration': '7200',
        generalFlags: '00000001',
      },
    ],
  ];

  it.each(cases)('%s', async (_name, request, expected) => {
    const upstream = await start(okFor);
    await testClient(upstream.url).requestToken(request);

    expect(upstream.calls).toHaveLength(1);
    const [call] = upstream.calls;
    expect(call.method).toBe('POST');
    expect(call.path).toBe(`/${request.drm}-gen/hms/${request.drm}/token`);
    expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(call.form)).toEqual(expected);
    expect([...call.form.keys()]).toHaveLength(Object.keys(expected).length); // no repeated parameter
    // Secrets travel in the body only: nothing in the request target.
    expect(call.url).toBe(call.path);
    expect(call.url).not.toContain(AUTH_SECRET);
    expect(call.url).not.toContain(CEK);
  });

  it('leaves deviceid, expirationTime and generalFlags out when not given (the dummy binding token)', async () => {
    const upstream = await start(okFor);
    const { deviceId: _omit, ...unbound } = fpBuy;
    await testClient(upstream.url).requestToken(unbound);
    const form = upstream.calls[0].form;
    expect(form.has('deviceid')).toBe(false);
    expect(form.has('deviceId')).toBe(false);
    expect(form.has('expirationTime')).toBe(false);
    expect(form.has('generalFlags')).toBe(false);
  });

  it('never derives the token expiry from a rental window: a 60-day rental keeps its window in the rights only', async () => {
    const upstream = await start(okFor);
    const client = testClient(upstream.url);
    const sixtyDays = {
      type: 'Rental',
      periodEndTime: new Date('2026-04-01T00:00:00Z'),
      playDurationSeconds: 172_800,
    } as const;
    const oneHour = new Date('2026-01-31T01:00:00Z');
    await client.requestToken({ ...fpBuy, drm: 'pr', iv: undefined, rights: sixtyDays, expirationTime: oneHour });
    await client.requestToken({ ...fpBuy, drm: 'pr', iv: undefined, rights: sixtyDays });
    const [withTtl, withoutTtl] = upstream.calls.map((c) => c.form);
    expect(withTtl.get('expirationTime')).toBe('2026-01-31T01:00:00Z');
    expect(withTtl.get('rental.periodEndTime')).toBe('2026-04-01T00:00:00Z');
    expect(withTtl.get('rental.playDuration')).toBe('172800');
    expect(withoutTtl.has('expirationTime')).toBe(false); // ExpressPlay's default, never the window end
  });

  it('caps a rental token at the window end, but honours an earlier explicit expiry', async () => {
    const upstream = await start(okFor);
    const client = testClient(upstream.url);
    await client.requestToken({ ...fpBuy, rights: rental, expirationTime: new Date('2027-01-01T00:00:00Z') });
    await client.requestToken({ ...fpBuy, rights: rental, expirationTime: new Date('2026-02-15T00:00:00Z') });
    expect(upstream.calls.map((c) => c.form.get('expirationTime'))).toEqual([
      '2026-03-01T10:00:00Z',
      '2026-02-15T00:00:00Z',
    ]);
  });

  it('refuses a FairPlay request without an IV before any HTTP call (a programming error)', async () => {
    const upstream = await start(okFor);
    const error = await rejectionOf(testClient(upstream.url).requestToken({ ...fpBuy, iv: undefined }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(ExpressPlayUnavailableError);
    expect(upstream.calls).toHaveLength(0);
  });
});

describe('token responses', () => {
  it('returns the fp/wv text/uri-list URL trimmed', async () => {
    const upstream = await start(uriList(`\n${FP_LICENSE_URL}\r\n`));
    const client = testClient(upstream.url);
    await expect(client.requestToken(fpBuy)).resolves.toEqual({ licenseUrl: FP_LICENSE_URL });
    await expect(client.requestToken({ ...fpBuy, drm: 'wv' })).resolves.toEqual({ licenseUrl: FP_LICENSE_URL });
  });

  it('builds the PlayReady license URL from licenseAcquisitionUrl and token', async () => {
    const upstream = await start(okFor);
    const result = await testClient(upstream.url).requestToken({ ...fpBuy, drm: 'pr' });
    expect(result.licenseUrl).toBe(
      'https://pr.test.expressplay.com/playready/RightsManager.asmx?ExpressPlayToken=AQAAB-_prToken',
    );
  });

  it('appends with & when the PlayReady URL already has a query', async () => {
    const upstream = await start(() => ({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ licenseAcquisitionUrl: 'https://pr.example/la?svc=1', token: 'tok' }),
    }));
    const result = await testClient(upstream.url).requestToken({ ...fpBuy, drm: 'pr' });
    expect(result.licenseUrl).toBe('https://pr.example/la?svc=1&ExpressPlayToken=tok');
  });

  const garbage: Array<[string, 'fp' | 'pr', string]> = [
    ['plain text', 'fp', 'hello'],
    ['an HTML page', 'fp', '<html><body>ok</body></html>'],
    ['a relative URL', 'fp', '/hms/fp/rights/?ExpressPlayToken=abc'],
    ['a non-http URL', 'fp', 'ftp://fp.example/?ExpressPlayToken=abc'],
    ['a URL without ExpressPlayToken', 'fp', 'https://fp.service.expressplay.com/hms/fp/rights/'],
    ['two URLs', 'fp', `${FP_LICENSE_URL}\n${FP_LICENSE_URL}`],
    ['an empty body', 'fp', ''],
    ['PlayReady non-JSON', 'pr', 'not json'],
    ['PlayReady without token', 'pr', JSON.stringify({ licenseAcquisitionUrl: 'https://pr.example/la' })],
    ['PlayReady with a relative URL', 'pr', JSON.stringify({ licenseAcquisitionUrl: '/la', token: 'tok' })],
  ];
  it.each(garbage)('treats %s as unavailable, without retrying', async (_name, drm, body) => {
    const upstream = await start(() => ({ status: 200, contentType: 'text/uri-list', body }));
    const error = await rejectionOf(testClient(upstream.url).requestToken({ ...fpBuy, drm }));
    expect(error).toBeInstanceOf(ExpressPlayUnavailableError);
    expect((error as Error).message).toMatch(/^ExpressPlay token request failed: unexpected response \(HTTP 200\)/);
    expect(upstream.calls).toHaveLength(1);
  });

  it('does not follow redirects (the form would go with them)', async () => {
    const upstream = await start((req) =>
      req.path.startsWith('/elsewhere')
        ? { status: 200, body: FP_LICENSE_URL }
        : { status: 307, body: '', contentType: 'text/plain' },
    );
    const error = await rejectionOf(testClient(upstream.url).requestToken(fpBuy));
    expect(error).toBeInstanceOf(ExpressPlayUnavailableError);
    expect(upstream.calls).toHaveLength(1);
  });
});

describe('record retrieval', () => {
  const older = {
    event_id: 41,
    time: '2026-01-10T08:00:00Z',
    cookie: COOKIE,
    device_id: DEVICE,
    drm: 'fp',
    outcome: 'denied',
    error_code: -4010,
  };
  const newer = { ...older, event_id: 42, time: '2026-01-10T09:30:15.250Z', outcome: 'granted', error_code: null };

  it('GETs /cmiapi/getrecord/ by cookie and maps the records, newest first', async () => {
    const upstream = await start(() => ({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify([older, newer]),
    }));
    const records = await testClient(upstream.url).recordsByCookie(COOKIE);

    expect(records).toEqual([
      {
        eventId: 42,
        time: new Date('2026-01-10T09:30:15.250Z'),
        cookie: COOKIE,
        deviceId: DEVICE,
        drm: 'fp',
        outcome: 'granted',
        errorCode: null,
      },
      {
        eventId: 41,
        time: new Date('2026-01-10T08:00:00Z'),
        cookie: COOKIE,
        deviceId: DEVICE,
        drm: 'fp',
        outcome: 'denied',
        errorCode: -4010,
      },
    ]);
    expect(upstream.calls).toHaveLength(1);
    const [call] = upstream.calls;
    expect(call.method).toBe('GET');
    expect(call.path).toBe('/cmiapi/getrecord/');
    expect(Object.fromEntries(call.query)).toEqual({
      customerAuthenticator: AUTHENTICATOR,
      cookie: COOKIE,
      errorFormat: 'json',
    });
  });

  it('returns [] for a cookie without events', async () => {
    const upstream = await start(() => ({ status: 200, contentType: 'application/json', body: '[]' }));
    await expect(testClient(upstream.url).recordsByCookie(COOKIE)).resolves.toEqual([]);
  });

  const garbage: Array<[string, string]> = [
    ['non-JSON', '<html>oops</html>'],
    ['an object', JSON.stringify({ records: [] })],
    ['a record without event_id', JSON.stringify([{ ...older, event_id: undefined }])],
    ['an unknown drm', JSON.stringify([{ ...older, drm: 'ms3' }])],
    ['an unknown outcome', JSON.stringify([{ ...older, outcome: 'maybe' }])],
    ['a bad time', JSON.stringify([{ ...older, time: 'yesterday' }])],
    ['a string error_code', JSON.stringify([{ ...older, error_code: 'x' }])],
    ['a null entry', JSON.stringify([null])],
  ];
  it.each(garbage)('treats %s as unavailable', async (_name, body) => {
    const upstream = await start(() => ({ status: 200, contentType: 'application/json', body }));
    const error = await rejectionOf(testClient(upstream.url).recordsByCookie(COOKIE));
    expect(error).toBeInstanceOf(ExpressPlayUnavailableError);
    expect((error as Error).message).toMatch(/^ExpressPlay getrecord request failed: unexpected response/);
  });
});
