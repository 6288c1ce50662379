/**
 * The sandbox's settings from environment variables: the one parser of `SANDBOX_*`, for `npm run sandbox` and for
 * the service's embedded sandbox (config/config.ts), so both read the same names with the same limits. Takes the
 * environment as an argument: main.ts and the service's config are the only readers of `process.env`.
 */
import { AUTHENTICATOR_FORMAT } from './customer-authenticators.js';
import { DEFAULT_RECORD_LOG_CAPACITY, RECENT_EVENTS } from './record-log.js';
import type { DeviceBindingDrm, SandboxFaults, SandboxOptions } from './server.js';

/** The well-known, obviously fake authenticator the sandbox accepts when none is configured. */
export const DEFAULT_SANDBOX_AUTHENTICATOR = '1000,00000000000000000000000000000000';
export const DEFAULT_SANDBOX_PORT = 4001;
/** Longer than any client timeout the service allows (EXPRESSPLAY_TIMEOUT_MS): more would only hang a test. */
export const MAX_SANDBOX_LATENCY_MS = 120_000;
export const MAX_RECORD_LOG_CAPACITY = 100_000_000;

/** Every bad variable at once, so they can be fixed in one go. */
export class SandboxEnvError extends Error {
  override readonly name = 'SandboxEnvError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid sandbox configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Typed readers of environment variables that note every bad value in `problems` and fall back to a default. */
/** Plain functions, not methods: callers destructure them (`const { str, bool } = envReader(...)`). */
export interface EnvReader {
  readonly str: (name: string) => string | undefined;
  readonly number: (name: string, fallback: number, min: number, max: number, integer?: boolean) => number;
  readonly bool: (name: string, fallback: boolean) => boolean;
}

export function envReader(env: Env, problems: string[]): EnvReader {
  const str = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    str,
    number(name, fallback, min, max, integer = true) {
      const raw = str(name);
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
        problems.push(`${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${raw}"`);
        return fallback;
      }
      return n;
    },
    bool(name, fallback) {
      const raw = str(name)?.toLowerCase();
      if (raw === undefined) return fallback;
      if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
      if (['0', 'false', 'no', 'off'].includes(raw)) return false;
      problems.push(`${name} must be true or false, got "${raw}"`);
      return fallback;
    },
  };
}

/** What the sandbox is, whoever starts it: its port and its behaviour (faults, record log, device binding). */
export interface SandboxSettings {
  readonly port: number;
  readonly faults: Required<Pick<SandboxFaults, 'latencyMs' | 'errorRate' | 'outage'>>;
  readonly recordLogCapacity: number;
  readonly noDeviceBinding: readonly DeviceBindingDrm[];
}

/** The settings both `npm run sandbox` and the embedded sandbox read; bad values are added to `problems`. */
export function sandboxSettingsFromEnv(env: Env, problems: string[]): SandboxSettings {
  const read = envReader(env, problems);
  return {
    port: read.number('SANDBOX_PORT', DEFAULT_SANDBOX_PORT, 0, 65535),
    faults: {
      latencyMs: read.number('SANDBOX_LATENCY_MS', 0, 0, MAX_SANDBOX_LATENCY_MS),
      errorRate: read.number('SANDBOX_ERROR_RATE', 0, 0, 1, false),
      outage: read.bool('SANDBOX_OUTAGE', false),
    },
    recordLogCapacity: read.number(
      'SANDBOX_RECORD_LOG_SIZE',
      DEFAULT_RECORD_LOG_CAPACITY,
      RECENT_EVENTS,
      MAX_RECORD_LOG_CAPACITY,
    ),
    noDeviceBinding: deviceBindingList(read.str('SANDBOX_NO_DEVICE_BINDING'), problems),
  };
}

/**
 * Options for `npm run sandbox`: the shared settings, plus what only a stand-alone sandbox is given (host, public
 * URL, accepted authenticators; the embedded one listens on loopback and accepts the service's own).
 */
export function sandboxOptionsFromEnv(env: Env): SandboxOptions {
  const problems: string[] = [];
  const { port, faults, recordLogCapacity, noDeviceBinding } = sandboxSettingsFromEnv(env, problems);
  const { str } = envReader(env, problems);
  const host = str('SANDBOX_HOST') ?? '127.0.0.1';

  // Authenticators contain a comma themselves, so several are separated by whitespace or semicolons.
  const customerAuthenticators = (str('SANDBOX_CUSTOMER_AUTHENTICATOR') ?? DEFAULT_SANDBOX_AUTHENTICATOR)
    .split(/[\s;]+/)
    .filter((value) => value !== '');
  if (!customerAuthenticators.every((value) => AUTHENTICATOR_FORMAT.test(value))) {
    problems.push('SANDBOX_CUSTOMER_AUTHENTICATOR must be "<id>,<32 hex digits>" (several: separated by spaces or ;)');
  }

  const publicUrl = str('SANDBOX_PUBLIC_URL');
  if (publicUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(publicUrl)) {
    problems.push(`SANDBOX_PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
  }

  if (problems.length > 0) throw new SandboxEnvError(problems);
  return {
    port,
    host,
    customerAuthenticators,
    ...(publicUrl === undefined ? {} : { publicUrl }),
    faults,
    recordLogCapacity,
    ...(noDeviceBinding.length > 0 ? { noDeviceBinding } : {}),
  };
}

/** `fp`, `wv` or both, separated by commas or spaces: the DRMs whose token service refuses a device restriction. */
export function deviceBindingList(raw: string | undefined, problems: string[]): DeviceBindingDrm[] {
  const drms = (raw ?? '')
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((d) => d !== '');
  if (!drms.every((d) => d === 'fp' || d === 'wv')) {
    problems.push(`SANDBOX_NO_DEVICE_BINDING lists fp, wv or both, got "${raw}"`);
    return [];
  }
  return [...new Set(drms as DeviceBindingDrm[])];
}
