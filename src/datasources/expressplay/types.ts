/**
 * The contract between the service and ExpressPlay (real or sandbox). Everything the rest of the service knows
 * about ExpressPlay goes through `ExpressPlayClient`; wire details (parameter names, hosts, bodies) stay in this
 * folder so that a fact learned from the real service is a one-line change here.
 */

import type { DrmSystem } from '../../domain/enums.js';

/** DRM systems the service issues tokens for, as ExpressPlay names them in its paths (`/hms/<drm>/token`). */
export type { DrmSystem };

export type TokenRights =
  | { readonly type: 'BuyToOwn' }
  | {
      readonly type: 'Rental';
      /** The content cannot be played after this instant (the rental window). */
      readonly periodEndTime: Date;
      /** Seconds the content may play once playback has started. */
      readonly playDurationSeconds: number;
    };

export interface TokenRequest {
  readonly drm: DrmSystem;
  /** The CEK, 32 hex digits. Secret: never logged, never in a URL. */
  readonly contentKey: string;
  /** Content key id, 32 hex digits. */
  readonly kid: string;
  /** FairPlay content IV, 32 hex digits (required by ExpressPlay for `fp`). */
  readonly iv?: string;
  readonly rights: TokenRights;
  /** Correlation parameter, at most 32 characters; logged by the license server with the device id. */
  readonly cookie: string;
  /** Token restriction: only this device (32 hex) gets a license. Absent for the dummy binding token. */
  readonly deviceId?: string;
  /**
   * When the token (not the license) stops being redeemable; ExpressPlay's default and maximum is 30 days after
   * issue (-2002 beyond). Separate from the rights: a rental's window may run longer, and a fresh token is minted
   * for each license request. For a rental, capped at the window end (a token is useless after it).
   */
  readonly expirationTime?: Date;
  /**
   * Ask for a persistent (offline) license: `generalFlags=00000001`. PlayReady rentals are always persistent, since
   * ExpressPlay requires it. FairPlay's token table allows only `0000`, so ExpressPlay refuses it there (-5003; see
   * `refusesPersistentLicense`).
   */
  readonly persistent?: boolean;
}

export interface TokenResult {
  /** Ready-to-use license URL carrying the token (`...?ExpressPlayToken=...`). */
  readonly licenseUrl: string;
}

/** One license-server transaction, as record retrieval (`/cmiapi/getrecord/`) reports it. */
export interface LicenseRecord {
  readonly eventId: number;
  readonly time: Date;
  readonly cookie: string;
  readonly deviceId: string;
  readonly drm: DrmSystem;
  readonly outcome: 'granted' | 'denied';
  readonly errorCode: number | null;
}

export interface ExpressPlayClient {
  /** Asks the token service for a license token. Rejects with an `ExpressPlayError` (see errors.ts). */
  requestToken(request: TokenRequest): Promise<TokenResult>;
  /** Record retrieval by cookie, newest first; `[]` when the cookie has no event yet. */
  recordsByCookie(cookie: string): Promise<readonly LicenseRecord[]>;
}
