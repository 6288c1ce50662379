/**
 * The sandbox's ExpressPlay token: an AES-256-GCM sealed JSON payload, base64url without padding like the real
 * tokens (ExpressPlay's documentation). Sealing rather than signing keeps the content key out of anyone's sight, and
 * GCM's tag makes every tampered or foreign token undecodable.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export type Drm = 'fp' | 'wv' | 'pr';

export type Rights =
  | { readonly rightsType: 'BuyToOwn' }
  | {
      readonly rightsType: 'Rental';
      /** RFC 3339: no license after this instant (the rental window). */
      readonly periodEndTime: string;
      /** Seconds the content may play once the first license was granted. */
      readonly playDuration: number;
    };

export interface TokenPayload {
  readonly id: string;
  readonly drm: Drm;
  /** Lower-case hex; FairPlay tokens without a `kid` carry a key id derived by the token service. */
  readonly kid: string;
  readonly contentKey: string;
  readonly iv: string | null;
  readonly rights: Rights;
  /** `generalFlags` bit 0 (00000001): the license may be stored on the device and played offline. */
  readonly persistent: boolean;
  /** Output restrictions as requested (security level, HDCP, OPLs), passed into the license unchanged. */
  readonly restrictions: Readonly<Record<string, number>>;
  readonly cookie: string;
  readonly deviceId: string | null;
  readonly issuedAt: string;
  readonly expiresAt: string;
}

export interface TokenCodec {
  seal(payload: TokenPayload): string;
  /** `null` for anything that was not sealed by this codec's key, whatever the reason. */
  open(token: string): TokenPayload | null;
}

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
// Binds the ciphertext to its purpose, so a blob sealed for anything else under the same key never opens here.
const AAD = Buffer.from('expressplay-sandbox-token-v1');
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function createTokenCodec(secret: Buffer): TokenCodec {
  if (secret.length !== 32) throw new RangeError('The sandbox token secret must be 32 bytes');
  const key = Buffer.from(secret);

  return {
    seal(payload) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(AAD);
      const sealed = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.of(VERSION), nonce, sealed, cipher.getAuthTag()]).toString('base64url');
    },

    open(token) {
      if (token.length > 8192 || !BASE64URL.test(token)) return null;
      const raw = Buffer.from(token, 'base64url');
      // Node's decoder drops a dangling last character; a token is only the exact encoding of what was sealed.
      if (raw.toString('base64url') !== token) return null;
      if (raw.length < 1 + NONCE_BYTES + TAG_BYTES + 2 || raw[0] !== VERSION) return null;
      const nonce = raw.subarray(1, 1 + NONCE_BYTES);
      const tag = raw.subarray(raw.length - TAG_BYTES);
      const sealed = raw.subarray(1 + NONCE_BYTES, raw.length - TAG_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce);
        decipher.setAAD(AAD);
        decipher.setAuthTag(tag);
        const json = Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
        return JSON.parse(json) as TokenPayload;
      } catch {
        return null;
      }
    },
  };
}
