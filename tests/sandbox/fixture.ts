/**
 * Shared set-up for the sandbox suite: a sandbox on port 0 with a hand-moved clock, and token requests that are
 * valid by default so each test changes only the parameter it is about.
 */
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/server.js';

export type Drm = 'fp' | 'wv' | 'pr';

export const AUTH_SECRET_PART = '5e7c2a9b4d1f8e6a3c0b7d2e9f4a1c8b';
export const AUTH = `4242,${AUTH_SECRET_PART}`;
export const CEK = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
export const KID = '1234567890abcdef1234567890abcdef';
export const IV = 'aabbccddeeff00112233445566778899';
export const DEVICE = 'd00dfeedd00dfeedd00dfeedd00dfeed';
export const OTHER_DEVICE = 'beefcafebeefcafebeefcafebeefcafe';
export const COOKIE = 'c0ffee00c0ffee00c0ffee00c0ffee00';

export class ManualClock {
  private current = new Date('2030-01-01T00:00:00.000Z');
  readonly now = (): Date => new Date(this.current);
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

export interface TestSandbox {
  readonly sandbox: RunningSandbox;
  readonly clock: ManualClock;
  readonly url: string;
}

export async function startTestSandbox(options: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const clock = new ManualClock();
  const sandbox = await startSandbox({ customerAuthenticators: [AUTH], now: clock.now, ...options });
  return { sandbox, clock, url: sandbox.url };
}

/** A valid token request for `drm`; `null` in `overrides` removes a parameter. */
export function tokenForm(drm: Drm, overrides: Record<string, string | null> = {}): URLSearchParams {
  const base: Record<string, string> = {
    customerAuthenticator: AUTH,
    errorFormat: 'json',
    contentKey: CEK,
    kid: KID,
    cookie: COOKIE,
  };
  if (drm === 'fp') base.iv = IV;
  if (drm === 'wv') Object.assign(base, { securityLevel: '1', hdcpOutputControl: '0' });
  if (drm === 'pr') {
    Object.assign(base, {
      rightsType: 'BuyToOwn',
      analogVideoOPL: '0',
      compressedDigitalAudioOPL: '0',
      compressedDigitalVideoOPL: '0',
      uncompressedDigitalAudioOPL: '0',
      uncompressedDigitalVideoOPL: '0',
    });
  }
  const form = new URLSearchParams(base);
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) form.delete(name);
    else form.set(name, value);
  }
  return form;
}

/** `drm` is a `Drm`, or any other path segment to see what the sandbox says to it. */
export function postToken(url: string, drm: string, form: URLSearchParams): Promise<Response> {
  return fetch(`${url}/hms/${drm}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
}

/** A license URL for a valid token, built the way clients do for each DRM. */
export async function licenseUrlFor(
  url: string,
  drm: Drm,
  overrides: Record<string, string | null> = {},
): Promise<string> {
  const response = await postToken(url, drm, tokenForm(drm, overrides));
  const body = await response.text();
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${body}`);
  if (drm === 'pr') {
    const { licenseAcquisitionUrl, token } = JSON.parse(body) as { licenseAcquisitionUrl: string; token: string };
    return `${licenseAcquisitionUrl}?ExpressPlayToken=${token}`;
  }
  return body.trim();
}

export interface LicenseAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** POSTs a sandbox SPC for `deviceId`, or a raw body when one is given. */
export async function redeem(licenseUrl: string, deviceId: string, rawBody?: string): Promise<LicenseAnswer> {
  const response = await fetch(licenseUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: rawBody ?? JSON.stringify({ sandboxSpc: 1, deviceId }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function getrecord(url: string, query: Record<string, string>): Promise<Response> {
  const params = new URLSearchParams({ customerAuthenticator: AUTH, errorFormat: 'json', ...query });
  return fetch(`${url}/cmiapi/getrecord/?${params}`);
}

export function tokenOf(licenseUrl: string): string {
  return new URL(licenseUrl).searchParams.get('ExpressPlayToken')!;
}
