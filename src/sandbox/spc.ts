/**
 * The sandbox's own license exchange (README.md): the sandbox SPC a device sends, and the sandbox CKC it gets back.
 * Real SPCs cannot be read without Apple's keys, so this format exists only here; the simulated device
 * (src/device/) writes it with these helpers, so the two ends cannot disagree on it.
 */

/** A device id as the sandbox takes it in an SPC: 32 hex characters, as PlayReady validates, for every DRM. */
export const DEVICE_ID_FORMAT = /^[0-9a-fA-F]{32}$/;

/** How an SPC is posted to a license URL. */
export const SPC_CONTENT_TYPE = 'application/octet-stream';

/** The license (HTTP 200 JSON). */
export interface SandboxCkc {
  keyId: string;
  contentKey: string;
  rights: Record<string, unknown>;
  /** The license may be stored and played offline (`generalFlags` 00000001). */
  persistent: boolean;
  expiresAt: string | null;
}

/** The body of a sandbox SPC for `deviceId`. */
export function writeSandboxSpc(deviceId: string): string {
  return JSON.stringify({ sandboxSpc: 1, deviceId });
}

/** The device id from a sandbox SPC (`{"sandboxSpc":1,"deviceId":"<32 hex>"}`), or `null` for anything else. */
export function readSandboxSpc(body: Buffer): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { sandboxSpc, deviceId } = parsed as Record<string, unknown>;
  if (sandboxSpc !== 1 || typeof deviceId !== 'string' || !DEVICE_ID_FORMAT.test(deviceId)) return null;
  return deviceId.toLowerCase();
}

/** A sandbox CKC from a parsed 200 answer, or `undefined` when the answer is not one. */
export function readSandboxCkc(body: unknown): SandboxCkc | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { keyId, contentKey, rights, persistent, expiresAt } = body as Record<string, unknown>;
  if (typeof keyId !== 'string' || typeof contentKey !== 'string') return undefined;
  if (typeof rights !== 'object' || rights === null || Array.isArray(rights)) return undefined;
  if (typeof persistent !== 'boolean') return undefined;
  if (expiresAt !== null && typeof expiresAt !== 'string') return undefined;
  return { keyId, contentKey, rights: rights as Record<string, unknown>, persistent, expiresAt };
}
