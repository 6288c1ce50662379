/**
 * The simulated device's command line (`npm run device`), apart from its entry file so that it can be run with
 * any arguments, output and home folder.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newDeviceId, playLicenseUrl, playStream, type PlayOutcome } from './simulated-device.js';

export interface DeviceCommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Where the stable device id is kept (`~/.expressplay-sandbox-device`). */
  readonly homeDir: string;
}

export const DEVICE_ID_FILE = '.expressplay-sandbox-device';

export const EXIT_GRANTED = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

export const USAGE = `Usage:
  npm run device -- play <licenseUrl | contentUrl.m3u8> [--device-id <32 hex>]
  npm run device -- new-id

play    Plays an HLS stream (a URL whose path ends in .m3u8) or asks a license URL directly, as one device.
        Without --device-id the device id kept in ~/${DEVICE_ID_FILE} is used (created on first use).
        Like a real device, it sends each DRM system its own id, derived from that one: the output shows the
        DRM, the id it was sent ("deviceId"), and for a granted license whether it is persistent (offline).
new-id  Prints a fresh random device id.

Exit status: 0 license granted, 1 refused or unreachable, 2 usage error.
`;

const HEX32 = /^[0-9a-fA-F]{32}$/;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

export async function runDeviceCommand(args: readonly string[], io: DeviceCommandIo): Promise<number> {
  try {
    const [command, ...rest] = args;
    switch (command) {
      case 'play':
        return await play(rest, io);
      case 'new-id':
        if (rest.length > 0) throw new UsageError('new-id takes no arguments');
        io.stdout(`${newDeviceId()}\n`);
        return EXIT_GRANTED;
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return EXIT_GRANTED;
      default:
        throw new UsageError(command === undefined ? 'No command given' : `Unknown command: ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

async function play(args: readonly string[], io: DeviceCommandIo): Promise<number> {
  let target: string | undefined;
  let deviceId: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--device-id') {
      deviceId = args[++i];
      if (deviceId === undefined) throw new UsageError('--device-id needs a value');
    } else if (arg.startsWith('--device-id=')) {
      deviceId = arg.slice('--device-id='.length);
    } else if (arg.startsWith('-')) {
      throw new UsageError(`Unknown option: ${arg}`);
    } else if (target === undefined) {
      target = arg;
    } else {
      throw new UsageError('play takes one URL');
    }
  }
  if (target === undefined) throw new UsageError('play needs a license URL or a content URL');
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError('The URL must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError('The URL must be an absolute http(s) URL');
  }
  if (deviceId !== undefined && !HEX32.test(deviceId)) {
    throw new UsageError('--device-id must be 32 hexadecimal characters');
  }
  const device = deviceId?.toLowerCase() ?? (await storedDeviceId(io.homeDir));

  let outcome: PlayOutcome;
  try {
    outcome = url.pathname.endsWith('.m3u8') ? await playStream(target, device) : await playLicenseUrl(target, device);
  } catch (error) {
    io.stderr(`Playback failed: ${describe(error)}\n`);
    return EXIT_REFUSED;
  }
  io.stdout(`${JSON.stringify({ device, ...masked(outcome) }, null, 2)}\n`);
  return outcome.granted ? EXIT_GRANTED : EXIT_REFUSED;
}

/** One stable "device" per user: the id is made once and kept in the home folder. */
async function storedDeviceId(homeDir: string): Promise<string> {
  const file = join(homeDir, DEVICE_ID_FILE);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (!HEX32.test(stored)) throw new UsageError(`${file} holds no device id; delete it to make a new one`);
    return stored.toLowerCase();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const made = newDeviceId();
  try {
    // 'wx': if another run created the file meanwhile, its id wins and stays the device's id.
    await writeFile(file, `${made}\n`, { flag: 'wx', mode: 0o600 });
    return made;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return storedDeviceId(homeDir);
    throw error;
  }
}

/** The content key is the one secret a license carries, so a terminal only ever shows its first digits. */
function masked(outcome: PlayOutcome): PlayOutcome {
  if (!outcome.granted) return outcome;
  return { ...outcome, license: { ...outcome.license, contentKey: `${outcome.license.contentKey.slice(0, 4)}…` } };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch reports "fetch failed" and keeps the useful part (ECONNREFUSED, ENOTFOUND…) in its cause.
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  return detail === '' ? error.message : `${error.message} (${detail})`;
}
