/**
 * ExpressPlay's wire format, each fact in one place: paths, parameter names, the form per DRM, and how responses
 * are read. When the real service turns out to differ from ExpressPlay's public documentation or from this project's
 * choices where that is silent (src/sandbox/README.md), the fix belongs here and only here.
 */
import { isDrmSystem } from '../../domain/enums.js';
import { ExpressPlayRejectedError, ExpressPlayUnavailableError, type ExpressPlayOperation } from './errors.js';
import type { DrmSystem, LicenseRecord, TokenRequest } from './types.js';

/**
 * The device restriction parameter, as every seed document spells it: `deviceid`, all lower case (ExpressPlay's
 * device-binding recipe; its parameters are case-sensitive). No public request shows it, so it is unconfirmed:
 * one constant so a correction is one line. The sandbox keeps its own copy (it imports nothing from the service);
 * a unit test checks that the two agree.
 */
export const DEVICE_ID_PARAM = 'deviceid';

/**
 * ExpressPlay's error tables list "Device ID binding is not supported" for FairPlay (-6008) and Widevine (-7002):
 * an account may refuse the device restriction for them, while the same flow works with PlayReady.
 */
const DEVICE_BINDING_UNSUPPORTED_CODES: ReadonlySet<number> = new Set([-6008, -7002]);

/** ExpressPlay refused a token request because the account does not bind this DRM's licenses to a device. */
export function refusesDeviceBinding(error: unknown): error is ExpressPlayRejectedError {
  return error instanceof ExpressPlayRejectedError && DEVICE_BINDING_UNSUPPORTED_CODES.has(error.upstreamCode ?? 0);
}

/** "Invalid general flags": what FairPlay's token service answers to the persistent flag ('0000' only). */
const INVALID_GENERAL_FLAGS = -5003;

/** ExpressPlay refused the persistent flag of a request that asked for an offline license. */
export function refusesPersistentLicense(error: unknown, request: Pick<TokenRequest, 'persistent'>): boolean {
  return (
    request.persistent === true &&
    error instanceof ExpressPlayRejectedError &&
    error.upstreamCode === INVALID_GENERAL_FLAGS
  );
}

/**
 * ExpressPlay's verdict that a token request's expiry is invalid (-2002): past its 30-day limit, malformed, or not
 * in the future on its clock.
 */
export function refusesExpirationTime(error: unknown): error is ExpressPlayRejectedError {
  return error instanceof ExpressPlayRejectedError && error.upstreamCode === -2002;
}

/** "Device ID must be 32 hexadecimal characters long" / "Invalid device ID": the device restriction was refused. */
const DEVICE_ID_REFUSED_CODES: ReadonlySet<number> = new Set([-5004, -5005]);

export function refusesDeviceId(error: unknown): error is ExpressPlayRejectedError {
  return error instanceof ExpressPlayRejectedError && DEVICE_ID_REFUSED_CODES.has(error.upstreamCode ?? 0);
}

/** Query parameter that carries the token in license URLs. */
export const TOKEN_QUERY_PARAM = 'ExpressPlayToken';

/** Parameter names as ExpressPlay spells them (case-sensitive upstream). */
export const PARAM = {
  customerAuthenticator: 'customerAuthenticator',
  errorFormat: 'errorFormat',
  contentKey: 'contentKey',
  kid: 'kid',
  iv: 'iv',
  cookie: 'cookie',
  deviceId: DEVICE_ID_PARAM,
  expirationTime: 'expirationTime',
  generalFlags: 'generalFlags',
  // FairPlay
  rentalDuration: 'rentalDuration',
  // Widevine
  securityLevel: 'securityLevel',
  hdcpOutputControl: 'hdcpOutputControl',
  licenseDuration: 'licenseDuration',
  // PlayReady
  rightsType: 'rightsType',
  rentalPeriodEndTime: 'rental.periodEndTime',
  rentalPlayDuration: 'rental.playDuration',
} as const;

/** Errors as `application/json` instead of HTML, so that the numeric code can be read. */
export const ERROR_FORMAT = 'json';

/** Widevine: 1 = SW_SECURE_CRYPTO (the lowest robustness, so that software CDMs play) and 0 = HDCP_NONE. */
export const WV_SECURITY_LEVEL = '1';
export const WV_HDCP_OUTPUT_CONTROL = '0';

/**
 * PlayReady minimum output protection levels (integer 0–999, all five required, `-5006` when one is missing).
 * 0 is the least restrictive value, as in every public ExpressPlay sample, matching Widevine's HDCP_NONE above.
 * Tightening output protection is a product decision and a one-line change here.
 */
export const PR_OUTPUT_PROTECTION_LEVELS = {
  analogVideoOPL: '0',
  compressedDigitalAudioOPL: '0',
  compressedDigitalVideoOPL: '0',
  uncompressedDigitalAudioOPL: '0',
  uncompressedDigitalVideoOPL: '0',
} as const;

/**
 * `generalFlags` 00000001 = persistent license (ExpressPlay's PlayReady token API; public ExpressPlay scripts send
 * the same for Widevine). PlayReady: "Rental licenses (rightsType=Rental) MUST be persistent".
 */
export const PERSISTENT_FLAGS = '00000001';

export const GETRECORD_PATH = '/cmiapi/getrecord/';

export function tokenPath(drm: DrmSystem): string {
  return `/hms/${drm}/token`;
}

/** `tokenBaseUrl` may hold `{drm}`, since the real hosts differ per DRM (`https://{drm}-gen.test.expressplay.com`). */
export function tokenUrl(tokenBaseUrl: string, drm: DrmSystem): string {
  return tokenBaseUrl.replaceAll('{drm}', drm).replace(/\/+$/, '') + tokenPath(drm);
}

export function getrecordUrl(apiBaseUrl: string): string {
  return apiBaseUrl.replace(/\/+$/, '') + GETRECORD_PATH;
}

/** RFC 3339 in the `Z` zone without fractional seconds, e.g. `2026-01-31T12:00:00Z`. Truncates, never rounds. */
export function formatExpressPlayTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('ExpressPlay time must be a valid Date');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The token request form for one DRM. Secrets travel in this body (POST), never in a URL. Throws a plain
 * `TypeError` for a request the caller should never have built (a FairPlay request without an IV, a bad duration):
 * those are bugs, not upstream failures.
 */
export function buildTokenForm(request: TokenRequest, customerAuthenticator: string): URLSearchParams {
  const form = new URLSearchParams();
  form.set(PARAM.customerAuthenticator, customerAuthenticator);
  form.set(PARAM.errorFormat, ERROR_FORMAT);
  form.set(PARAM.contentKey, request.contentKey);
  form.set(PARAM.kid, request.kid);
  form.set(PARAM.cookie, request.cookie);
  if (request.deviceId !== undefined) form.set(PARAM.deviceId, request.deviceId);

  const { rights } = request;
  let playDuration: string | undefined;
  let periodEnd: string | undefined;
  if (rights.type === 'Rental') {
    if (!Number.isSafeInteger(rights.playDurationSeconds) || rights.playDurationSeconds < 0) {
      throw new TypeError('Rental playDurationSeconds must be a whole number of seconds, 0 or more');
    }
    playDuration = String(rights.playDurationSeconds);
    periodEnd = formatExpressPlayTime(rights.periodEndTime);
  }

  // The token's own expiry is the caller's, never derived from the rights: a rental window may run past
  // ExpressPlay's 30-day token limit. A rental's token is capped at its window end, since it is useless after it.
  let expiration = request.expirationTime;
  if (expiration !== undefined && rights.type === 'Rental' && rights.periodEndTime < expiration) {
    expiration = rights.periodEndTime;
  }
  if (expiration !== undefined) form.set(PARAM.expirationTime, formatExpressPlayTime(expiration));
  if (request.persistent === true) form.set(PARAM.generalFlags, PERSISTENT_FLAGS);

  switch (request.drm) {
    case 'fp':
      if (request.iv === undefined || request.iv === '') {
        throw new TypeError('A FairPlay token request needs the content IV (iv)');
      }
      form.set(PARAM.iv, request.iv);
      if (playDuration !== undefined) form.set(PARAM.rentalDuration, playDuration);
      break;
    case 'wv':
      form.set(PARAM.securityLevel, WV_SECURITY_LEVEL);
      form.set(PARAM.hdcpOutputControl, WV_HDCP_OUTPUT_CONTROL);
      if (playDuration !== undefined) form.set(PARAM.licenseDuration, playDuration);
      break;
    case 'pr':
      form.set(PARAM.rightsType, rights.type);
      for (const [name, value] of Object.entries(PR_OUTPUT_PROTECTION_LEVELS)) form.set(name, value);
      if (periodEnd !== undefined && playDuration !== undefined) {
        form.set(PARAM.rentalPeriodEndTime, periodEnd);
        form.set(PARAM.rentalPlayDuration, playDuration);
        form.set(PARAM.generalFlags, PERSISTENT_FLAGS);
      }
      break;
    default: {
      const never: never = request.drm;
      throw new TypeError(`Unsupported DRM system: ${String(never)}`);
    }
  }
  return form;
}

/** getrecord by cookie. This one is a GET, so the authenticator is in the query: http.ts redacts every error. */
export function getrecordQuery(cookie: string, customerAuthenticator: string): URLSearchParams {
  return new URLSearchParams([
    [PARAM.customerAuthenticator, customerAuthenticator],
    [PARAM.cookie, cookie],
    [PARAM.errorFormat, ERROR_FORMAT],
  ]);
}

/** An answer we cannot use. The reason names what was wrong, never the value (it may echo a secret). */
export function unexpectedResponse(
  operation: ExpressPlayOperation,
  status: number | undefined,
  reason: string,
): ExpressPlayUnavailableError {
  const http = status === undefined ? '' : ` (HTTP ${status})`;
  return new ExpressPlayUnavailableError(
    `ExpressPlay ${operation} request failed: unexpected response${http}: ${reason}`,
    operation,
    status,
    undefined,
    { cause: { kind: 'invalid_response' } },
  );
}

function isHttpUrl(value: string): URL | undefined {
  if (/\s/.test(value)) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The license URL from a successful token response. FairPlay and Widevine answer `text/uri-list` (one URL; blank
 * lines and `#` comments allowed by RFC 2483); PlayReady answers JSON `{licenseAcquisitionUrl, token}`.
 */
export function parseTokenResponse(drm: DrmSystem, status: number, body: string): string {
  if (drm === 'pr') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw unexpectedResponse('token', status, 'PlayReady body is not JSON');
    }
    if (typeof parsed !== 'object' || parsed === null) {
      throw unexpectedResponse('token', status, 'PlayReady body is not an object');
    }
    const { licenseAcquisitionUrl, token } = parsed as Record<string, unknown>;
    if (typeof licenseAcquisitionUrl !== 'string' || isHttpUrl(licenseAcquisitionUrl) === undefined) {
      throw unexpectedResponse('token', status, 'licenseAcquisitionUrl is missing or not an http(s) URL');
    }
    if (typeof token !== 'string' || !/^[A-Za-z0-9_\-.~+/=%]+$/.test(token)) {
      throw unexpectedResponse('token', status, 'token is missing or malformed');
    }
    const separator = licenseAcquisitionUrl.includes('?') ? '&' : '?';
    return `${licenseAcquisitionUrl}${separator}${TOKEN_QUERY_PARAM}=${token}`;
  }

  const lines = body
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length !== 1) throw unexpectedResponse('token', status, 'expected exactly one license URL');
  const licenseUrl = lines[0];
  const url = isHttpUrl(licenseUrl);
  if (url === undefined) throw unexpectedResponse('token', status, 'license URL is not an absolute http(s) URL');
  if (!url.searchParams.get(TOKEN_QUERY_PARAM)) {
    throw unexpectedResponse('token', status, `license URL carries no ${TOKEN_QUERY_PARAM}`);
  }
  return licenseUrl;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * getrecord's JSON (src/sandbox/README.md): an array of snake_case events, newest first; `[]` for an unknown cookie.
 * Anything else is an unusable answer. The result is sorted newest first whatever order upstream used.
 */
export function parseRecords(status: number, body: string): LicenseRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw unexpectedResponse('getrecord', status, 'body is not JSON');
  }
  if (!Array.isArray(parsed)) throw unexpectedResponse('getrecord', status, 'body is not a JSON array');
  const records = parsed.map((item: unknown, index): LicenseRecord => {
    const bad = (field: string) => unexpectedResponse('getrecord', status, `record ${index}: bad ${field}`);
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw bad('record');
    const r = item as Record<string, unknown>;
    if (typeof r.event_id !== 'number' || !Number.isSafeInteger(r.event_id)) throw bad('event_id');
    if (typeof r.time !== 'string' || !RFC3339.test(r.time) || Number.isNaN(Date.parse(r.time))) throw bad('time');
    if (typeof r.cookie !== 'string') throw bad('cookie');
    if (typeof r.device_id !== 'string') throw bad('device_id');
    if (!isDrmSystem(r.drm)) throw bad('drm');
    if (r.outcome !== 'granted' && r.outcome !== 'denied') throw bad('outcome');
    const errorCode = r.error_code ?? null;
    if (errorCode !== null && (typeof errorCode !== 'number' || !Number.isSafeInteger(errorCode))) {
      throw bad('error_code');
    }
    return {
      eventId: r.event_id,
      time: new Date(r.time),
      cookie: r.cookie,
      deviceId: r.device_id,
      drm: r.drm,
      outcome: r.outcome,
      errorCode,
    };
  });
  return records.sort((a, b) => b.time.getTime() - a.time.getTime() || b.eventId - a.eventId);
}

/**
 * ExpressPlay's numeric code from an error body (JSON `{errorCode, errorMessage}` with `errorFormat=json`;
 * src/sandbox/README.md). HTML bodies and anything else give `undefined`. `errorMessage` is deliberately ignored: it
 * may echo request input, secrets included.
 */
export function parseErrorCode(body: string | undefined): number | undefined {
  if (body === undefined || !body.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const code = (parsed as Record<string, unknown>).errorCode;
    const n = typeof code === 'string' && /^-?\d+$/.test(code.trim()) ? Number(code) : code;
    return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
