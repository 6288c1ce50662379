/**
 * Token generation (`/hms/{fp,wv,pr}/token`): validates parameters as the ExpressPlay tables describe
 * (ExpressPlay's documentation) and mints a sealed token. Authentication and `errorFormat` are the server's
 * job; this module sees only requests that passed them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { badRequest, ErrorCode, type ErrorCode as Code, type Reply } from './errors.js';
import { parseTimeParameter, timeParameterHint } from './time-parameter.js';
import type { Drm, Rights, TokenCodec, TokenPayload } from './token-codec.js';

/**
 * The device restriction parameter, spelt as every seed document spells it (`deviceid`, all lower case; ExpressPlay
 * parameters are case-sensitive). The service keeps its own copy of the spelling (it imports nothing from here, nor
 * this from it); a unit test checks that the two agree.
 */
export const DEVICE_ID_PARAM = 'deviceid';

/** ExpressPlay's default and maximum token lifetime. */
export const MAX_TOKEN_LIFETIME_SECONDS = 30 * 24 * 60 * 60;

export const PR_OPL_PARAMS = [
  'analogVideoOPL',
  'compressedDigitalAudioOPL',
  'compressedDigitalVideoOPL',
  'uncompressedDigitalAudioOPL',
  'uncompressedDigitalVideoOPL',
] as const;

export interface TokenServiceOptions {
  readonly codec: TokenCodec;
  readonly now: () => Date;
  /** Base of the license URLs; a function because the port is known only once the server listens. */
  readonly publicUrl: () => string;
  /** Keys the key id derived for FairPlay tokens that carry no `kid`. */
  readonly secret: Buffer;
  /** DRMs whose token service refuses a device restriction (see SandboxOptions.noDeviceBinding). */
  readonly noDeviceBinding?: readonly DeviceBindingDrm[];
}

/** The DRMs whose ExpressPlay error tables have a "device ID binding is not supported" code. */
export type DeviceBindingDrm = 'fp' | 'wv';

const DEVICE_BINDING_UNSUPPORTED: Record<DeviceBindingDrm, Code> = {
  fp: ErrorCode.FairPlayDeviceBindingUnsupported,
  wv: ErrorCode.WidevineDeviceBindingUnsupported,
};

export interface TokenService {
  /** Throws `ProtocolError` for a parameter ExpressPlay would refuse. */
  issue(drm: Drm, params: URLSearchParams): Reply;
}

const HEX32 = /^[0-9a-fA-F]{32}$/;
const GENERAL_FLAGS = /^[0-9a-fA-F]{8}$/;
/** `generalFlags` bit 0: a persistent license (ExpressPlay's PlayReady token API; Widevine as public scripts send it). */
const PERSISTENT_FLAG = 0x00000001;
const DIGITS = /^\d{1,15}$/;
const MAX_COOKIE_LENGTH = 32;

export function createTokenService(options: TokenServiceOptions): TokenService {
  const { codec, now, publicUrl, secret } = options;
  const noDeviceBinding = new Set<Drm>(options.noDeviceBinding ?? []);

  // FairPlay does not require a kid, but the license, the record log and the rental clock all need a key id.
  // Derived under the sandbox secret so it is stable per key and reveals nothing about the key.
  const derivedKeyId = (contentKey: string): string =>
    createHmac('sha256', secret).update(`fp-kid:${contentKey}`).digest('hex').slice(0, 32);

  return {
    issue(drm, params) {
      const issuedAt = now();
      const contentKey = params.get('contentKey');
      if (contentKey === null || !HEX32.test(contentKey)) throw badRequest(ErrorCode.InvalidContentKey);

      const kid = params.get('kid');
      if (kid === null && drm !== 'fp') throw badRequest(ErrorCode.MissingKid);
      if (kid !== null && !HEX32.test(kid)) throw badRequest(ErrorCode.InvalidKidLength);

      const cookie = params.get('cookie') ?? '';
      if (cookie.length > MAX_COOKIE_LENGTH) throw badRequest(ErrorCode.InvalidCookie, 'at most 32 characters');

      const expiresAt = expirationOf(params.get('expirationTime'), issuedAt);

      const deviceId = params.get(DEVICE_ID_PARAM);
      if (deviceId !== null && !HEX32.test(deviceId)) throw badRequest(ErrorCode.InvalidDeviceIdLength);
      if (deviceId !== null && noDeviceBinding.has(drm)) {
        throw badRequest(DEVICE_BINDING_UNSUPPORTED[drm as DeviceBindingDrm]);
      }

      const persistent = persistentOf(drm, params.get('generalFlags'));

      let iv: string | null = null;
      let terms: { rights: Rights; restrictions: Record<string, number> };
      switch (drm) {
        case 'fp':
          iv = params.get('iv');
          if (iv === null || !HEX32.test(iv)) throw badRequest(ErrorCode.InvalidIv);
          iv = iv.toLowerCase();
          terms = fairPlayTerms(params, expiresAt);
          break;
        case 'wv':
          terms = widevineTerms(params, expiresAt);
          break;
        case 'pr':
          terms = playReadyTerms(params, issuedAt);
          if (terms.rights.rightsType === 'Rental' && !persistent) {
            throw badRequest(
              ErrorCode.InvalidGeneralFlags,
              'rental licenses must be persistent (generalFlags=00000001)',
            );
          }
          break;
      }

      const normalizedKey = contentKey.toLowerCase();
      const payload: TokenPayload = {
        id: randomBytes(16).toString('hex'),
        drm,
        kid: kid === null ? derivedKeyId(normalizedKey) : kid.toLowerCase(),
        contentKey: normalizedKey,
        iv,
        rights: terms.rights,
        persistent,
        restrictions: terms.restrictions,
        cookie,
        deviceId: deviceId === null ? null : deviceId.toLowerCase(),
        issuedAt: issuedAt.toISOString(),
        expiresAt: expiresAt.toISOString(),
      };
      const token = codec.seal(payload);

      if (drm === 'pr') {
        return {
          status: 200,
          contentType: 'application/json; charset=utf-8',
          body: JSON.stringify({ licenseAcquisitionUrl: `${publicUrl()}/playready/RightsManager.asmx`, token }),
        };
      }
      return {
        status: 200,
        contentType: 'text/uri-list; charset=utf-8',
        body: `${publicUrl()}/hms/${drm}/rights/?ExpressPlayToken=${token}\n`,
      };
    },
  };
}

function expirationOf(raw: string | null, issuedAt: Date): Date {
  const latest = issuedAt.getTime() + MAX_TOKEN_LIFETIME_SECONDS * 1000;
  if (raw === null) return new Date(latest);
  const expiresAt = parseTimeParameter(raw, issuedAt);
  if (expiresAt === null) throw badRequest(ErrorCode.InvalidExpirationTime, timeParameterHint(raw));
  if (expiresAt.getTime() <= issuedAt.getTime()) {
    throw badRequest(ErrorCode.InvalidExpirationTime, 'the time is not in the future');
  }
  if (expiresAt.getTime() > latest) {
    throw badRequest(ErrorCode.InvalidExpirationTime, 'the maximum token lifetime is 30 days');
  }
  return expiresAt;
}

/**
 * `generalFlags`, a 4-byte hex string (ExpressPlay's token APIs, -5003 "Invalid general flags"). Per DRM:
 * - PlayReady: bit 0 (00000001) = persistent; no other flag is documented, so any other bit is refused.
 * - Widevine: the token table says "'0000' is the only allowed value", but ExpressPlay's public scripts send
 *   00000001 for a persistent license (the seed notes mark the conflict); the sandbox follows the scripts.
 * - FairPlay: "'0000' is the only allowed value": no persistent license through this flag.
 * The tables quote the zero value with 4 characters ('0000'), so that spelling is accepted as zero too.
 */
function persistentOf(drm: Drm, raw: string | null): boolean {
  if (raw === null || (raw === '0000' && drm !== 'pr')) return false;
  if (!GENERAL_FLAGS.test(raw)) throw badRequest(ErrorCode.InvalidGeneralFlags, 'expected 8 hexadecimal digits');
  const flags = Number.parseInt(raw, 16);
  if (drm === 'fp' && flags !== 0) {
    throw badRequest(ErrorCode.InvalidGeneralFlags, 'FairPlay allows only 00000000 (no persistent flag)');
  }
  if ((flags & ~PERSISTENT_FLAG) !== 0) {
    throw badRequest(ErrorCode.InvalidGeneralFlags, 'only 00000000 and 00000001 (persistent) are known');
  }
  return (flags & PERSISTENT_FLAG) !== 0;
}

/** A whole number within bounds, or `null`; leading `+`, signs, decimals and exponents are all refused. */
function integerIn(raw: string, min: number, max: number): number | null {
  if (!DIGITS.test(raw)) return null;
  const n = Number(raw);
  return n >= min && n <= max ? n : null;
}

/** The rental model FairPlay and Widevine share: a play duration, and a window that ends with the token. */
function durationRental(raw: string | null, invalid: Code, expiresAt: Date): Rights {
  if (raw === null) return { rightsType: 'BuyToOwn' };
  const seconds = integerIn(raw, 0, Number.MAX_SAFE_INTEGER);
  if (seconds === null) throw badRequest(invalid, 'expected whole seconds, 0 or more');
  if (seconds === 0) return { rightsType: 'BuyToOwn' };
  return { rightsType: 'Rental', periodEndTime: expiresAt.toISOString(), playDuration: seconds };
}

function fairPlayTerms(params: URLSearchParams, expiresAt: Date) {
  const rights = durationRental(params.get('rentalDuration'), ErrorCode.InvalidRentalDuration, expiresAt);
  return { rights, restrictions: {} };
}

function widevineTerms(params: URLSearchParams, expiresAt: Date) {
  const rawLevel = params.get('securityLevel');
  if (rawLevel === null) throw badRequest(ErrorCode.MissingSecurityLevel);
  const securityLevel = integerIn(rawLevel, 1, 5);
  if (securityLevel === null) throw badRequest(ErrorCode.InvalidSecurityLevel, 'expected 1 to 5');

  const rawHdcp = params.get('hdcpOutputControl');
  if (rawHdcp === null) throw badRequest(ErrorCode.MissingHdcpOutputControl);
  const hdcpOutputControl = integerIn(rawHdcp, 0, 5);
  // The Widevine table has no "invalid HDCP" code; -2034 is ExpressPlay's generic out-of-range output control.
  if (hdcpOutputControl === null) throw badRequest(ErrorCode.OutputControlOutOfRange, 'hdcpOutputControl is 0 to 5');

  const rights = durationRental(params.get('licenseDuration'), ErrorCode.InvalidLicenseDuration, expiresAt);
  return { rights, restrictions: { securityLevel, hdcpOutputControl } };
}

function playReadyTerms(params: URLSearchParams, issuedAt: Date) {
  const rightsType = params.get('rightsType');
  if (rightsType === null) throw badRequest(ErrorCode.MissingRightsType);
  if (rightsType !== 'BuyToOwn' && rightsType !== 'Rental') {
    throw badRequest(ErrorCode.InvalidRightsType, 'expected BuyToOwn or Rental');
  }

  let rights: Rights = { rightsType: 'BuyToOwn' };
  if (rightsType === 'Rental') {
    const rawEnd = params.get('rental.periodEndTime');
    if (rawEnd === null) throw badRequest(ErrorCode.MissingRentalPeriodEndTime);
    const periodEnd = parseTimeParameter(rawEnd, issuedAt);
    // The PlayReady table has no "invalid period end" code, so a bad value counts as no usable value.
    if (periodEnd === null) throw badRequest(ErrorCode.MissingRentalPeriodEndTime, timeParameterHint(rawEnd));
    if (periodEnd.getTime() <= issuedAt.getTime()) {
      throw badRequest(ErrorCode.MissingRentalPeriodEndTime, 'the time is not in the future');
    }
    const rawPlay = params.get('rental.playDuration');
    if (rawPlay === null) throw badRequest(ErrorCode.MissingRentalPlayDuration);
    const playDuration = integerIn(rawPlay, 1, Number.MAX_SAFE_INTEGER);
    if (playDuration === null) {
      throw badRequest(ErrorCode.InvalidRentalPlayDuration, 'expected whole seconds, 1 or more');
    }
    rights = { rightsType: 'Rental', periodEndTime: periodEnd.toISOString(), playDuration };
  }

  const restrictions: Record<string, number> = {};
  for (const name of PR_OPL_PARAMS) {
    const raw = params.get(name);
    if (raw === null) throw badRequest(ErrorCode.MissingOpl, name);
    const level = integerIn(raw, 0, 999);
    if (level === null) throw badRequest(ErrorCode.OutputControlOutOfRange, `${name} is 0 to 999`);
    restrictions[name] = level;
  }
  return { rights, restrictions };
}
