/**
 * The dummy stream a device plays to reveal its device id. Its only job is to make the device's DRM send a
 * license request with the cookie-carrying token, so the key material protects nothing and is fixed.
 */
export const DUMMY_CONTENT = {
  kid: '0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d',
  contentKey: '5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e',
  iv: '1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a',
} as const;

/** The playlist's URL on this service: it carries the license URL so the service needs to keep no state. */
export function dummyStreamUrl(publicUrl: string, licenseUrl: string): string {
  return `${publicUrl}/streams/dummy.m3u8?license=${encodeURIComponent(licenseUrl)}`;
}

/** Only ExpressPlay-style license URLs are embedded, so the route cannot be used to wrap arbitrary URLs. */
export function isLicenseUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.searchParams.has('ExpressPlayToken');
  } catch {
    return false;
  }
}

/** HLS media playlist whose key URI is the `skd://` form of the license URL, as FairPlay players expect. */
export function dummyPlaylist(licenseUrl: string): string {
  const skd = `skd://${licenseUrl.replace(/^https?:\/\//, '')}`;
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:5',
    '#EXT-X-TARGETDURATION:2',
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXT-X-KEY:METHOD=SAMPLE-AES,URI="${skd}",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"`,
    '#EXTINF:2.0,',
    'dummy-segment-0.ts',
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}
