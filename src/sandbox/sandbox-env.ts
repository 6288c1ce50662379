/**
 * The sandbox's settings from environment variables, for `npm run sandbox`. Takes the environment as an argument:
 * main.ts is the only reader of `process.env`.
 */
import { AUTHENTICATOR_FORMAT } from './customer-authenticators.js';
import { DEFAULT_RECORD_LOG_CAPACITY, RECENT_EVENTS } from './record-log.js';
import type { DeviceBindingDrm, SandboxOptions } from './server.js';

/** The well-known, obviously fake authenticator the sandbox accepts when none is configured. */
export const DEFAULT_SANDBOX_AUTHENTICATOR = '1000,00000000000000000000000000000000';
export const DEFAULT_SANDBOX_PORT = 4001;

/** Every bad variable at once, so they can be fixed in one go. */
export class SandboxEnvError extends Error {
  override readonly name = 'SandboxEnvError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid sandbox configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function sandboxOptionsFromEnv(env: Env): SandboxOptions {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const number = (name: string, fallback: number, min: number, max: number, integer: boolean): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      problems.push(`${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return n;
  };

  const port = number('SANDBOX_PORT', DEFAULT_SANDBOX_PORT, 0, 65535, true);
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

  const recordLogCapacity = number(
    'SANDBOX_RECORD_LOG_SIZE',
    DEFAULT_RECORD_LOG_CAPACITY,
    RECENT_EVENTS,
    100_000_000,
    true,
  );
  const latencyMs = number('SANDBOX_LATENCY_MS', 0, 0, 600_000, true);
  const errorRate = number('SANDBOX_ERROR_RATE', 0, 0, 1, false);
  let outage = false;
  const rawOutage = str('SANDBOX_OUTAGE')?.toLowerCase();
  if (rawOutage !== undefined) {
    if (['1', 'true', 'yes', 'on'].includes(rawOutage)) outage = true;
    else if (!['0', 'false', 'no', 'off'].includes(rawOutage)) {
      problems.push(`SANDBOX_OUTAGE must be true or false, got "${rawOutage}"`);
    }
  }

  const noDeviceBinding = deviceBindingList(str('SANDBOX_NO_DEVICE_BINDING'), problems);

  if (problems.length > 0) throw new SandboxEnvError(problems);
  return {
    port,
    host,
    customerAuthenticators,
    ...(publicUrl === undefined ? {} : { publicUrl }),
    faults: { latencyMs, errorRate, outage },
    recordLogCapacity,
    ...(noDeviceBinding.length > 0 ? { noDeviceBinding } : {}),
  };
}

/** `fp`, `wv` or both, separated by commas or spaces: the DRMs whose token service refuses a device restriction. */
export function deviceBindingList(raw: string | undefined, problems: string[]): DeviceBindingDrm[] {
  const drms = (raw ?? '').toLowerCase().split(/[\s,]+/).filter((d) => d !== '');
  if (!drms.every((d) => d === 'fp' || d === 'wv')) {
    problems.push(`SANDBOX_NO_DEVICE_BINDING lists fp, wv or both, got "${raw}"`);
    return [];
  }
  return [...new Set(drms as DeviceBindingDrm[])];
}
