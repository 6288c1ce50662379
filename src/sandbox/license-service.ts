/**
 * License redemption: the sandbox SPC in, the sandbox CKC out (README.md). Every request whose token
 * could be read, and every one whose token could not (logged with cookie ""), lands in the record log, granted or
 * not: record retrieval is how the entitlement service learns a device id.
 */
import { ErrorCode, messageFor, type ErrorCode as Code, type Reply } from './errors.js';
import { createPlayClocks } from './play-clocks.js';
import type { RecordLog } from './record-log.js';
import { readSandboxSpc, type SandboxCkc } from './spc.js';
import type { Drm, TokenCodec, TokenPayload } from './token-codec.js';

export interface LicenseServiceOptions {
  readonly codec: TokenCodec;
  readonly log: RecordLog;
  readonly now: () => Date;
}

export interface LicenseService {
  /** `token` is the `ExpressPlayToken` query value, `null` when absent; `spc` is the raw request body. */
  redeem(drm: Drm, token: string | null, spc: Buffer): Reply;
}

/**
 * An SPC the sandbox cannot read is answered HTTP 400 with the code each DRM's table has for a failed license:
 * FairPlay -6004 (CKC generation failed), Widevine -7008 (license generation failed), and PlayReady -5005 (invalid
 * device ID, since reading the device is what failed; its table has no generic license failure).
 */
const UNREADABLE_SPC: Record<Drm, Code> = {
  fp: ErrorCode.FairPlayCkcFailed,
  wv: ErrorCode.WidevineLicenseFailed,
  pr: ErrorCode.InvalidDeviceId,
};

interface Refusal {
  readonly status: number;
  readonly code: Code;
  readonly message: string;
}

const invalidToken: Refusal = { status: 403, code: ErrorCode.InvalidToken, message: 'Invalid token' };
const expired = (why?: string): Refusal => ({
  status: 403,
  code: ErrorCode.InvalidToken,
  message: why === undefined ? 'Expired token' : `Expired token: ${why}`,
});

export function createLicenseService(options: LicenseServiceOptions): LicenseService {
  const { codec, log, now } = options;
  const playClocks = createPlayClocks();

  return {
    redeem(drm, token, spc) {
      const at = now();
      const deviceId = readSandboxSpc(spc);
      const payload = token === null ? null : codec.open(token);

      const deny = (refusal: Refusal): Reply => {
        log.append({
          cookie: payload?.cookie ?? '',
          device_id: deviceId ?? '',
          drm,
          outcome: 'denied',
          error_code: refusal.code,
        });
        return json(refusal.status, { errorCode: refusal.code, errorMessage: refusal.message });
      };

      // A token minted for another DRM is as foreign to this license server as a forged one.
      if (payload === null || payload.drm !== drm) return deny(invalidToken);
      if (at.getTime() >= Date.parse(payload.expiresAt)) return deny(expired());
      if (deviceId === null) {
        const code = UNREADABLE_SPC[drm];
        return deny({ status: 400, code, message: messageFor(code, 'the license request is not a sandbox SPC') });
      }
      if (payload.deviceId !== null && payload.deviceId !== deviceId) {
        return deny({
          status: 403,
          code: ErrorCode.DeviceNotAuthenticated,
          message: messageFor(ErrorCode.DeviceNotAuthenticated),
        });
      }

      let expiresAt: string | null = null;
      if (payload.rights.rightsType === 'Rental') {
        const { periodEndTime, playDuration } = payload.rights;
        const windowEnd = Date.parse(periodEndTime);
        if (at.getTime() >= windowEnd) return deny(expired('the rental period has ended'));
        const clock = `${payload.cookie}\u0000${payload.kid}\u0000${periodEndTime}`;
        const started = playClocks.startedAt(clock) ?? at.getTime();
        const playEnd = started + playDuration * 1000;
        if (at.getTime() >= playEnd) return deny(expired('the rental play duration has ended'));
        playClocks.start(clock, started, windowEnd, at.getTime());
        expiresAt = new Date(Math.min(windowEnd, playEnd)).toISOString();
      }

      log.append({ cookie: payload.cookie, device_id: deviceId, drm, outcome: 'granted', error_code: null });
      return json(200, {
        keyId: payload.kid,
        contentKey: payload.contentKey,
        rights: licenseRights(payload),
        persistent: payload.persistent,
        expiresAt,
      } satisfies SandboxCkc);
    },
  };
}

function licenseRights(payload: TokenPayload): Record<string, unknown> {
  return { ...payload.rights, ...payload.restrictions };
}

function json(status: number, body: unknown): Reply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}
