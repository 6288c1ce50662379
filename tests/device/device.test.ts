import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_ID_FILE, runDeviceCommand } from '../../src/device/device-command.js';
import {
  drmDeviceId,
  drmOfLicenseUrl,
  licenseUrlFromSkd,
  newDeviceId,
  playLicenseUrl,
  playStream,
  PlaylistError,
} from '../../src/device/simulated-device.js';
import {
  CEK,
  DEVICE,
  KID,
  licenseUrlFor,
  OTHER_DEVICE,
  startTestSandbox,
  type TestSandbox,
} from '../sandbox/fixture.js';

let t: TestSandbox;
let streams: Server;
let streamsUrl: string;
let boundLicenseUrl: string;

/** Playlists by path, served the way the entitlement service serves its dummy stream. */
const playlists = new Map<string, string>();

function mediaPlaylist(licenseUrl: string): string {
  const skd = `skd://${licenseUrl.replace(/^https?:\/\//, '')}`;
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:5',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-KEY:METHOD=NONE',
    `#EXT-X-KEY:METHOD=SAMPLE-AES,URI="${skd}",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"`,
    '#EXTINF:6.0,',
    'segment0.ts',
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

beforeAll(async () => {
  t = await startTestSandbox();
  // Bound, as the service binds, to the id the device's FairPlay reported.
  boundLicenseUrl = await licenseUrlFor(t.url, 'fp', { deviceid: drmDeviceId(DEVICE, 'fp') });
  playlists.set('/bound/stream.m3u8', mediaPlaylist(boundLicenseUrl));
  playlists.set('/master.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nbound/stream.m3u8\n');
  playlists.set('/clear.m3u8', '#EXTM3U\n#EXTINF:6.0,\nsegment0.ts\n#EXT-X-ENDLIST\n');

  streams = createServer((req, res) => {
    const playlist = playlists.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (playlist === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl' }).end(playlist);
  });
  await new Promise<void>((resolve) => streams.listen(0, '127.0.0.1', resolve));
  streamsUrl = `http://127.0.0.1:${(streams.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => streams.close(resolve));
  await t.sandbox.close();
});

describe('simulated device', () => {
  it('makes 32-hex device ids from a CSPRNG', () => {
    const ids = new Set(Array.from({ length: 20 }, newDeviceId));
    expect(ids.size).toBe(20);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('derives one stable 32-hex id per DRM system, unrelated across DRMs and devices', () => {
    const ids = (['fp', 'wv', 'pr'] as const).map((drm) => drmDeviceId(DEVICE, drm));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set([...ids, DEVICE]).size).toBe(4);
    expect(drmDeviceId(DEVICE.toUpperCase(), 'wv')).toBe(ids[1]);
    expect(drmDeviceId(OTHER_DEVICE, 'fp')).not.toBe(ids[0]);
  });

  it('tells the DRM from the license URL path', () => {
    expect(drmOfLicenseUrl('https://fp.service.expressplay.com:80/hms/fp/rights/?ExpressPlayToken=x')).toBe('fp');
    expect(drmOfLicenseUrl('https://wv.service.expressplay.com/hms/wv/rights/?ExpressPlayToken=x')).toBe('wv');
    expect(drmOfLicenseUrl('https://pr.test.expressplay.com/playready/RightsManager.asmx?ExpressPlayToken=x')).toBe(
      'pr',
    );
    expect(drmOfLicenseUrl('https://expressplay-licensing.axprod.net/LicensingService.ashx?ExpressPlayToken=x')).toBe(
      'pr',
    );
    expect(drmOfLicenseUrl('https://example.com/license')).toBeUndefined();
    expect(drmOfLicenseUrl('not a url')).toBeUndefined();
  });

  it('plays a license URL', async () => {
    expect(await playLicenseUrl(boundLicenseUrl, DEVICE)).toEqual({
      drm: 'fp',
      deviceId: drmDeviceId(DEVICE, 'fp'),
      granted: true,
      license: { keyId: KID, contentKey: CEK, rights: { rightsType: 'BuyToOwn' }, persistent: false, expiresAt: null },
    });
    expect(await playLicenseUrl(boundLicenseUrl, OTHER_DEVICE)).toEqual({
      drm: 'fp',
      deviceId: drmDeviceId(OTHER_DEVICE, 'fp'),
      granted: false,
      status: 403,
      errorCode: -4001,
      errorMessage: 'Device could not be authenticated',
    });
  });

  it('is refused (-4001) a license for another DRM than the one whose id the token is bound to', async () => {
    // What a binding made with one DRM would give if the service sent its id in another DRM's token.
    for (const drm of ['wv', 'pr'] as const) {
      const crossDrm = await licenseUrlFor(t.url, drm, { deviceid: drmDeviceId(DEVICE, 'fp') });
      expect(await playLicenseUrl(crossDrm, DEVICE)).toMatchObject({
        drm,
        granted: false,
        status: 403,
        errorCode: -4001,
      });
      const ownDrm = await licenseUrlFor(t.url, drm, { deviceid: drmDeviceId(DEVICE, drm) });
      expect(await playLicenseUrl(ownDrm, DEVICE)).toMatchObject({ drm, granted: true });
    }
  });

  it('reports whether a license is persistent', async () => {
    const offline = await licenseUrlFor(t.url, 'wv', { generalFlags: '00000001' });
    expect(await playLicenseUrl(offline, DEVICE)).toMatchObject({ granted: true, license: { persistent: true } });
    const online = await licenseUrlFor(t.url, 'wv', { generalFlags: '00000000' });
    expect(await playLicenseUrl(online, DEVICE)).toMatchObject({ granted: true, license: { persistent: false } });
  });

  it('refuses to guess the DRM of a URL it does not know', async () => {
    await expect(playLicenseUrl(`${t.url}/license?ExpressPlayToken=x`, DEVICE)).rejects.toBeInstanceOf(TypeError);
  });

  it('plays an HLS stream through its skd:// key URI', async () => {
    const outcome = await playStream(`${streamsUrl}/bound/stream.m3u8?session=1`, DEVICE);
    expect(outcome).toMatchObject({ granted: true, license: { keyId: KID } });
    expect(await playStream(`${streamsUrl}/bound/stream.m3u8`, OTHER_DEVICE)).toMatchObject({
      granted: false,
      errorCode: -4001,
    });
  });

  it('follows a master playlist to its first variant', async () => {
    expect(await playStream(`${streamsUrl}/master.m3u8`, DEVICE)).toMatchObject({ granted: true });
  });

  it('throws PlaylistError when there is no key or no playlist', async () => {
    await expect(playStream(`${streamsUrl}/clear.m3u8`, DEVICE)).rejects.toBeInstanceOf(PlaylistError);
    await expect(playStream(`${streamsUrl}/missing.m3u8`, DEVICE)).rejects.toBeInstanceOf(PlaylistError);
  });

  it('turns skd:// into http:// for loopback hosts and https:// otherwise', () => {
    expect(licenseUrlFromSkd('skd://127.0.0.1:4001/hms/fp/rights/?ExpressPlayToken=x')).toBe(
      'http://127.0.0.1:4001/hms/fp/rights/?ExpressPlayToken=x',
    );
    expect(licenseUrlFromSkd('skd://localhost/a')).toBe('http://localhost/a');
    expect(licenseUrlFromSkd('skd://[::1]:4001/a')).toBe('http://[::1]:4001/a');
    expect(licenseUrlFromSkd('skd://fp.service.expressplay.com:80/hms/fp/rights/?ExpressPlayToken=x')).toBe(
      'https://fp.service.expressplay.com:80/hms/fp/rights/?ExpressPlayToken=x',
    );
    expect(licenseUrlFromSkd('skd://127.example.com/a')).toBe('https://127.example.com/a');
  });
});

describe('device command', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'sandbox-device-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  async function run(args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runDeviceCommand(args, {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      homeDir: home,
    });
    return { code, stdout, stderr };
  }

  it('keeps one device id in the home folder and reuses it', async () => {
    const first = await run(['play', boundLicenseUrl]);
    const stored = (await readFile(join(home, DEVICE_ID_FILE), 'utf8')).trim();
    expect(stored).toMatch(/^[0-9a-f]{32}$/);
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout)).toMatchObject({
      device: stored,
      drm: 'fp',
      deviceId: drmDeviceId(stored, 'fp'),
      granted: false,
      errorCode: -4001,
    });

    await writeFile(join(home, DEVICE_ID_FILE), `${DEVICE}\n`);
    const second = await run(['play', `${streamsUrl}/bound/stream.m3u8`]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      device: DEVICE,
      drm: 'fp',
      deviceId: drmDeviceId(DEVICE, 'fp'),
      granted: true,
      license: { persistent: false },
    });
  });

  it('prints that a license is persistent', async () => {
    const offline = await licenseUrlFor(t.url, 'pr', { generalFlags: '00000001', deviceid: drmDeviceId(DEVICE, 'pr') });
    const { code, stdout } = await run(['play', offline, '--device-id', DEVICE]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ drm: 'pr', granted: true, license: { persistent: true } });
  });

  it.each([
    [[]],
    [['fly']],
    [['play']],
    [['play', 'not a url']],
    [['play', 'http://127.0.0.1:1/x', '--device-id', 'xyz']],
    [['new-id', 'x']],
  ])('exits 2 with the usage for %j', async (args) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage:');
  });

  it('prints a new id', async () => {
    const { code, stdout } = await run(['new-id']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('exits 1 with a message when nothing answers', async () => {
    const nothing = 'http://127.0.0.1:1/hms/fp/rights/?ExpressPlayToken=x';
    const { code, stderr } = await run(['play', nothing, '--device-id', DEVICE]);
    expect(code).toBe(1);
    expect(stderr).toContain('Playback failed');
  });
});

describe('device CLI (child process)', () => {
  function cli(args: string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        'npx',
        ['tsx', 'src/device/device-cli.ts', ...args],
        { cwd: process.cwd(), env: { ...process.env, HOME: home }, timeout: 20_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  it('exits 0 for a granted license and 1 for a refused one, never printing the whole key', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sandbox-cli-'));
    try {
      const [granted, refused] = await Promise.all([
        cli(['play', `${streamsUrl}/bound/stream.m3u8`, '--device-id', DEVICE], home),
        cli(['play', boundLicenseUrl, '--device-id', OTHER_DEVICE], home),
      ]);
      expect(granted.code, granted.stderr).toBe(0);
      const license = JSON.parse(granted.stdout) as { granted: boolean; license: { contentKey: string } };
      expect(license.granted).toBe(true);
      expect(license.license.contentKey).toBe(`${CEK.slice(0, 4)}…`);
      expect(granted.stdout).not.toContain(CEK);

      expect(refused.code, refused.stderr).toBe(1);
      expect(JSON.parse(refused.stdout)).toMatchObject({ granted: false, status: 403, errorCode: -4001 });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
