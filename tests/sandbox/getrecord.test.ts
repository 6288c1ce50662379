import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTH,
  AUTH_SECRET_PART,
  DEVICE,
  getrecord,
  licenseUrlFor,
  OTHER_DEVICE,
  redeem,
  startTestSandbox,
  type TestSandbox,
} from './fixture.js';

interface Event {
  event_id: number;
  cookie: string;
  device_id: string;
}

let t: TestSandbox;

// 40 events: cookies "a" (ids 1-35) and "b" (ids 36-40), so both 32-event caps are exercised.
beforeAll(async () => {
  t = await startTestSandbox();
  const a = await licenseUrlFor(t.url, 'fp', { cookie: 'a' });
  const b = await licenseUrlFor(t.url, 'wv', { cookie: 'b' });
  for (let i = 0; i < 35; i += 1) await redeem(a, DEVICE);
  for (let i = 0; i < 5; i += 1) await redeem(b, OTHER_DEVICE);
});
afterAll(async () => {
  await t.sandbox.close();
});

async function records(query: Record<string, string>): Promise<Event[]> {
  const response = await getrecord(t.url, query);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as Event[];
}

const ids = (events: Event[]) => events.map((e) => e.event_id);
const range = (from: number, to: number) =>
  Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => (from <= to ? from + i : from - i));

describe('getrecord', () => {
  it('by cookie: the 32 most recent events of that cookie, newest first', async () => {
    expect(ids(await records({ cookie: 'a' }))).toEqual(range(35, 4));
    const b = await records({ cookie: 'b' });
    expect(ids(b)).toEqual(range(40, 36));
    expect(b[0]).toMatchObject({ cookie: 'b', device_id: OTHER_DEVICE, drm: 'wv', outcome: 'granted' });
  });

  it('by cookie: an unknown cookie gives []', async () => {
    expect(await records({ cookie: 'never-seen' })).toEqual([]);
  });

  it('by id: the one event, or []', async () => {
    const [event] = await records({ id: '7' });
    expect(event).toMatchObject({ event_id: 7, cookie: 'a', device_id: DEVICE, drm: 'fp' });
    expect(await records({ id: '41' })).toEqual([]);
  });

  it('by start+length: a 0-based window over the whole log, in log order', async () => {
    expect(ids(await records({ start: '0', length: '3' }))).toEqual([1, 2, 3]);
    expect(ids(await records({ start: '33', length: '5' }))).toEqual([34, 35, 36, 37, 38]);
    expect(await records({ start: '40', length: '10' })).toEqual([]);
  });

  it('with no mode: the 32 most recent events, newest first', async () => {
    expect(ids(await records({}))).toEqual(range(40, 9));
  });

  it('answers with or without the trailing slash', async () => {
    const params = new URLSearchParams({ customerAuthenticator: AUTH, id: '1' });
    const response = await fetch(`${t.url}/cmiapi/getrecord?${params}`);
    expect(response.status).toBe(200);
    expect(ids((await response.json()) as Event[])).toEqual([1]);
  });

  it.each([
    [{ cookie: 'a', id: '1' }],
    [{ cookie: 'a', start: '0', length: '1' }],
    [{ id: '1', start: '0', length: '1' }],
    [{ start: '0' }],
    [{ id: 'first' }],
    [{ id: '0' }],
    [{ start: '-1', length: '2' }],
  ])('refuses %o with HTTP 400 and -2035', async (query) => {
    const response = await getrecord(t.url, query);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errorCode: number }).errorCode).toBe(-2035);
  });

  it('requires the customer authenticator (-2017 missing, -2018 unknown) and never echoes it', async () => {
    const missing = await fetch(`${t.url}/cmiapi/getrecord/?errorFormat=json&cookie=a`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ errorCode: -2017 });

    const wrongSecret = 'ab'.repeat(16);
    const wrong = await getrecord(t.url, { customerAuthenticator: `4242,${wrongSecret}`, cookie: 'a' });
    expect(wrong.status).toBe(401);
    const text = await wrong.text();
    expect(JSON.parse(text)).toMatchObject({ errorCode: -2018 });
    expect(text).not.toContain(wrongSecret);
    expect(text).not.toContain(AUTH_SECRET_PART);
  });

  it('renders errors as HTML without errorFormat=json', async () => {
    const response = await fetch(`${t.url}/cmiapi/getrecord/?cookie=a`);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('-2017');
  });
});
