/**
 * The license server's transaction log and record retrieval over it (`/cmiapi/getrecord/`, expressplay-api.md §6;
 * event shape from device-binding.md).
 */
import { badRequest, ErrorCode } from './errors.js';
import type { Drm } from './token-codec.js';

/** Field names are snake_case on the wire, as device-binding.md fixes them. */
export interface LicenseEvent {
  readonly event_id: number;
  readonly time: string;
  readonly cookie: string;
  readonly device_id: string;
  readonly drm: Drm;
  readonly outcome: 'granted' | 'denied';
  readonly error_code: number | null;
}

export type NewLicenseEvent = Omit<LicenseEvent, 'event_id' | 'time'>;

/** ExpressPlay's page size for the cookie and no-parameter modes ("the most recent 32 events"). */
export const RECENT_EVENTS = 32;

export class RecordLog {
  private readonly events: LicenseEvent[] = [];
  private readonly byCookie = new Map<string, LicenseEvent[]>();

  constructor(private readonly now: () => Date) {}

  append(event: NewLicenseEvent): LicenseEvent {
    // event_id is the position plus one, so lookups by id need no index of their own.
    const logged: LicenseEvent = { event_id: this.events.length + 1, time: this.now().toISOString(), ...event };
    this.events.push(logged);
    const forCookie = this.byCookie.get(logged.cookie);
    if (forCookie) forCookie.push(logged);
    else this.byCookie.set(logged.cookie, [logged]);
    return logged;
  }

  /** Newest first. */
  recentForCookie(cookie: string, limit = RECENT_EVENTS): LicenseEvent[] {
    return newestFirst(this.byCookie.get(cookie) ?? [], limit);
  }

  /** Newest first. */
  recent(limit = RECENT_EVENTS): LicenseEvent[] {
    return newestFirst(this.events, limit);
  }

  byId(eventId: number): LicenseEvent | undefined {
    return this.events[eventId - 1];
  }

  /** Oldest first: `start` is a 0-based index over the whole log, for paging `(0,200)`, `(200,200)`, … */
  window(start: number, length: number): LicenseEvent[] {
    return this.events.slice(start, start + length);
  }
}

function newestFirst(events: readonly LicenseEvent[], limit: number): LicenseEvent[] {
  return events.slice(-limit).reverse();
}

const WHOLE = /^\d{1,15}$/;

/**
 * Answers one getrecord query. ExpressPlay calls mixing modes "unsupported" without naming a code; the sandbox
 * answers HTTP 400 with -2035 for that and for a mode with a missing or malformed value.
 */
export function queryRecords(log: RecordLog, params: URLSearchParams): LicenseEvent[] {
  const modes = [
    params.has('cookie') && 'cookie',
    params.has('id') && 'id',
    (params.has('start') || params.has('length')) && 'start+length',
  ].filter((mode) => mode !== false);
  if (modes.length > 1) {
    throw badRequest(ErrorCode.NoCorrespondingValue, `use one query mode, not ${modes.join(' and ')}`);
  }

  switch (modes[0]) {
    case 'cookie':
      return log.recentForCookie(params.get('cookie')!);
    case 'id': {
      const id = whole(params.get('id'));
      if (id === null || id < 1) throw badRequest(ErrorCode.NoCorrespondingValue, 'id must be an event_id');
      const event = log.byId(id);
      return event ? [event] : [];
    }
    case 'start+length': {
      const start = whole(params.get('start'));
      const length = whole(params.get('length'));
      if (start === null || length === null) {
        throw badRequest(ErrorCode.NoCorrespondingValue, 'start and length must both be whole numbers');
      }
      return log.window(start, length);
    }
    default:
      return log.recent();
  }
}

function whole(raw: string | null): number | null {
  return raw !== null && WHOLE.test(raw) ? Number(raw) : null;
}
