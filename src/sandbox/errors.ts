/**
 * ExpressPlay's numeric error codes and the bodies that carry them. Codes and messages are copied from the
 * ExpressPlay tables (ExpressPlay's documentation); the HTTP status per code is the project's choice, since no source
 * gives the mapping: 401 for authentication, 400 for parameters, 403 at the license server, 50x for server faults.
 */

export const ErrorCode = {
  InvalidExpirationTime: -2002,
  InvalidOutputControl: -2008,
  MissingAuthenticator: -2017,
  InvalidAuthenticator: -2018,
  MissingRightsType: -2020,
  InvalidRightsType: -2021,
  MissingRentalPeriodEndTime: -2022,
  MissingRentalPlayDuration: -2023,
  InvalidRentalPlayDuration: -2025,
  InvalidContentKey: -2027,
  AdminError: -2030,
  InvalidCookie: -2033,
  OutputControlOutOfRange: -2034,
  NoCorrespondingValue: -2035,
  InvalidErrorFormat: -3004,
  DeviceNotAuthenticated: -4001,
  InvalidToken: -4010,
  MissingKid: -4018,
  InvalidKidLength: -4020,
  InvalidDeviceIdLength: -5004,
  InvalidDeviceId: -5005,
  InvalidGeneralFlags: -5003,
  MissingOpl: -5006,
  InvalidIv: -6003,
  FairPlayCkcFailed: -6004,
  InvalidRentalDuration: -6007,
  FairPlayDeviceBindingUnsupported: -6008,
  WidevineDeviceBindingUnsupported: -7002,
  MissingSecurityLevel: -7003,
  InvalidSecurityLevel: -7004,
  MissingHdcpOutputControl: -7006,
  InvalidLicenseDuration: -7007,
  WidevineLicenseFailed: -7008,
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const MESSAGES: Record<ErrorCode, string> = {
  [-2002]: 'Invalid token expiration time',
  [-2008]: 'Invalid output control flags specified',
  [-2017]: 'Authentication token must be supplied',
  [-2018]: 'Authentication token invalid',
  [-2020]: 'Missing rights type',
  [-2021]: 'Invalid rights type',
  [-2022]: 'Missing rental period end time',
  [-2023]: 'Missing rental play duration',
  [-2025]: 'Invalid rental play duration',
  [-2027]: 'Content encryption key must be 32-hexadecimal digits long',
  [-2030]: 'ExpressPlay Admin error',
  [-2033]: 'Invalid cookie',
  [-2034]: 'Invalid Output Control, values out of specified range',
  [-2035]: 'No corresponding value specified',
  [-3004]: 'Invalid error format specified',
  [-4001]: 'Device could not be authenticated',
  [-4010]: 'Invalid token',
  [-4018]: 'Missing kid',
  [-4020]: 'kid must be 32 hexadecimal characters long',
  [-5003]: 'Invalid general flags',
  [-5004]: 'Device ID must be 32 hexadecimal characters long',
  [-5005]: 'Invalid device ID',
  [-5006]: 'Missing OPL value',
  [-6003]: 'Invalid iv parameter specified',
  [-6004]: 'Failed to generate CKC for FP',
  [-6007]: 'Invalid rental duration specified',
  [-6008]: 'Device ID binding is not supported for FairPlay',
  [-7002]: 'Device ID binding is not supported for Widevine',
  [-7003]: 'Missing security level value',
  [-7004]: 'Invalid security level value',
  [-7006]: 'Missing HDCP output control value',
  [-7007]: 'Invalid license duration specified',
  [-7008]: 'Failed to generate Widevine license',
};

/** ExpressPlay's message for a code, with optional details after a colon as in its tables (`<details>`). */
export function messageFor(code: ErrorCode, details?: string): string {
  return details === undefined ? MESSAGES[code] : `${MESSAGES[code]}: ${details}`;
}

/**
 * A refusal the sandbox answers with an ExpressPlay code. `message` is what the client sees, so it must never hold
 * a request value unless that is harmless and short (never the authenticator or a key).
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string = MESSAGES[code],
  ) {
    super(message);
  }
}

export const protocolError = (code: ErrorCode, status: number, details?: string): ProtocolError =>
  new ProtocolError(code, status, messageFor(code, details));

export const badRequest = (code: ErrorCode, details?: string): ProtocolError => protocolError(code, 400, details);

export type ErrorFormat = 'html' | 'json';

/** A complete HTTP answer; every handler returns one so that the server alone touches the socket. */
export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * `errorFormat` decides how every other error is rendered, so an invalid one is itself answered in the default
 * (HTML) format.
 */
export function errorFormatOf(params: URLSearchParams): ErrorFormat {
  const format = params.get('errorFormat');
  if (format === null || format === 'html') return 'html';
  if (format === 'json') return 'json';
  throw badRequest(ErrorCode.InvalidErrorFormat, printable(format));
}

/** Like `errorFormatOf`, for answers that must not fail on a bad `errorFormat` (404s, injected faults). */
export function errorFormatOrHtml(params: URLSearchParams): ErrorFormat {
  return params.get('errorFormat') === 'json' ? 'json' : 'html';
}

export function renderError(error: ProtocolError, format: ErrorFormat): Reply {
  if (format === 'json') {
    return {
      status: error.status,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ errorCode: error.code, errorMessage: error.message }),
    };
  }
  const message = escapeHtml(error.message);
  return {
    status: error.status,
    contentType: 'text/html; charset=utf-8',
    body:
      `<!DOCTYPE html>\n<html><head><title>Error ${error.code}</title></head>` +
      `<body><h1>Error ${error.code}</h1><p>${message}</p></body></html>\n`,
  };
}

/** Request text quoted back in an error: short, single-line, so a body can never carry a pasted secret whole. */
export function printable(value: string, max = 32): string {
  const flat = value.replace(/\p{Cc}/gu, '?');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
