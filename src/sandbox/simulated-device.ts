/**
 * A simulated playback device: the one place that writes the sandbox SPC (README.md). It plays an HLS
 * stream the way a FairPlay player does, by finding the `skd://` key URI and asking that license server for a key.
 */
import { randomBytes } from 'node:crypto';

export type PlayOutcome =
  | {
      granted: true;
      license: { keyId: string; contentKey: string; rights: Record<string, unknown>; expiresAt: string | null };
    }
  | { granted: false; status: number; errorCode: number | null; errorMessage: string };

/** The playlist could not be used: not fetched, or no FairPlay key in it. No license server was asked. */
export class PlaylistError extends Error {
  override readonly name = 'PlaylistError';
}

const HEX32 = /^[0-9a-fA-F]{32}$/;
// A master playlist points at media playlists; two hops covers master -> media, and bounds a loop.
const MAX_PLAYLIST_HOPS = 3;

export function newDeviceId(): string {
  return randomBytes(16).toString('hex');
}

/** POSTs the sandbox SPC for `deviceId` to `licenseUrl`. Rejects only when the server cannot be reached at all. */
export async function playLicenseUrl(licenseUrl: string, deviceId: string): Promise<PlayOutcome> {
  if (!HEX32.test(deviceId)) throw new TypeError('A device id is 32 hexadecimal characters');
  const response = await fetch(licenseUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: JSON.stringify({ sandboxSpc: 1, deviceId: deviceId.toLowerCase() }),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }

  if (response.status === 200) {
    const license = asLicense(body);
    if (license) return { granted: true, license };
    return { granted: false, status: 200, errorCode: null, errorMessage: 'The license response is not a sandbox CKC' };
  }
  const error = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    granted: false,
    status: response.status,
    errorCode: Number.isSafeInteger(error.errorCode) ? (error.errorCode as number) : null,
    errorMessage:
      typeof error.errorMessage === 'string'
        ? error.errorMessage
        : `HTTP ${response.status} ${response.statusText}`.trim(),
  };
}

/**
 * GETs an HLS playlist, follows a master playlist to its first variant, and plays the first `skd://` key URI.
 * Throws `PlaylistError` when there is nothing to play.
 */
export async function playStream(contentUrl: string, deviceId: string): Promise<PlayOutcome> {
  let playlistUrl = contentUrl;
  for (let hop = 0; hop < MAX_PLAYLIST_HOPS; hop += 1) {
    const response = await fetch(playlistUrl);
    if (!response.ok) throw new PlaylistError(`The playlist answered HTTP ${response.status}`);
    const playlist = await response.text();
    if (!playlist.trimStart().startsWith('#EXTM3U')) throw new PlaylistError('The content URL is not an HLS playlist');

    const keyUri = findSkdKeyUri(playlist);
    if (keyUri !== undefined) return playLicenseUrl(licenseUrlFromSkd(keyUri), deviceId);
    const variant = firstVariant(playlist);
    if (variant === undefined) throw new PlaylistError('The playlist has no skd:// key');
    playlistUrl = new URL(variant, playlistUrl).href;
  }
  throw new PlaylistError('Too many nested playlists');
}

/** The `URI` of the first `EXT-X-KEY` or `EXT-X-SESSION-KEY` whose URI is `skd://…`. */
export function findSkdKeyUri(playlist: string): string | undefined {
  for (const line of playlist.split(/\r?\n/)) {
    const tag = /^#EXT-X-(?:SESSION-)?KEY:(.*)$/.exec(line.trim());
    if (!tag) continue;
    const uri = attributes(tag[1]!).get('URI');
    if (uri !== undefined && uri.toLowerCase().startsWith('skd://')) return uri;
  }
  return undefined;
}

/**
 * A FairPlay player swaps `skd://` for `https://` (ExpressPlay's documentation). Loopback hosts get `http://` so that a
 * local sandbox, which has no certificate, can be played.
 */
export function licenseUrlFromSkd(skdUri: string): string {
  const rest = skdUri.slice('skd://'.length);
  const host = new URL(`http://${rest}`).hostname;
  const loopback = host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
  return `${loopback ? 'http' : 'https'}://${rest}`;
}

/** HLS attribute list: `NAME=value` pairs, where a quoted value may hold commas. */
function attributes(list: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    const value = m[2]!;
    found.set(m[1]!, value.startsWith('"') ? value.slice(1, -1) : value);
  }
  return found;
}

function firstVariant(playlist: string): string | undefined {
  const lines = playlist.split(/\r?\n/).map((line) => line.trim());
  const at = lines.findIndex((line) => line.startsWith('#EXT-X-STREAM-INF'));
  if (at === -1) return undefined;
  return lines.slice(at + 1).find((line) => line !== '' && !line.startsWith('#'));
}

function asLicense(body: unknown): Extract<PlayOutcome, { granted: true }>['license'] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { keyId, contentKey, rights, expiresAt } = body as Record<string, unknown>;
  if (typeof keyId !== 'string' || typeof contentKey !== 'string') return undefined;
  if (typeof rights !== 'object' || rights === null || Array.isArray(rights)) return undefined;
  if (expiresAt !== null && typeof expiresAt !== 'string') return undefined;
  return { keyId, contentKey, rights: rights as Record<string, unknown>, expiresAt };
}
