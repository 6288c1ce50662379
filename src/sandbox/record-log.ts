/**
 * The license server's transaction log and record retrieval over it (`/cmiapi/getrecord/`, ExpressPlay's documentation;
 * event shape from README.md).
 */
import { badRequest, ErrorCode } from './errors.js';
import type { Drm } from './token-codec.js';

/** Field names are snake_case on the wire, as README.md fixes them. */
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

/** Events the log keeps by default before the oldest go; a long development session, a few tens of MB. */
export const DEFAULT_RECORD_LOG_CAPACITY = 100_000;

/**
 * The transaction log, holding the newest `capacity` events: a long soak against one sandbox stays within bounds,
 * as a real log's retention would. event_id keeps counting across evictions, so ids are never reused.
 */
export class RecordLog {
  // Events still held are events[head..]; evicted slots before head are cut off in batches (amortized O(1)).
  private events: (LicenseEvent | undefined)[] = [];
  private head = 0;
  /** event_id of events[0], minus one: how many events were cut off the array before it. */
  private base = 0;
  // A cookie lookup answers at most RECENT_EVENTS, so no more than those are indexed per cookie.
  private readonly byCookie = new Map<string, LicenseEvent[]>();

  constructor(
    private readonly now: () => Date,
    private readonly capacity = DEFAULT_RECORD_LOG_CAPACITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < RECENT_EVENTS) {
      throw new RangeError(`The record log capacity must be a whole number of at least ${RECENT_EVENTS}`);
    }
  }

  append(event: NewLicenseEvent): LicenseEvent {
    const logged: LicenseEvent = {
      event_id: this.base + this.events.length + 1,
      time: this.now().toISOString(),
      ...event,
    };
    this.events.push(logged);
    const forCookie = this.byCookie.get(logged.cookie);
    if (!forCookie) this.byCookie.set(logged.cookie, [logged]);
    else {
      forCookie.push(logged);
      if (forCookie.length >= 2 * RECENT_EVENTS) forCookie.splice(0, forCookie.length - RECENT_EVENTS);
    }
    if (this.size() > this.capacity) this.evictOldest();
    return logged;
  }

  /** Events held now. */
  size(): number {
    return this.events.length - this.head;
  }

  /** Newest first; at most RECENT_EVENTS. */
  recentForCookie(cookie: string, limit = RECENT_EVENTS): LicenseEvent[] {
    return newestFirst(this.byCookie.get(cookie) ?? [], Math.min(limit, RECENT_EVENTS));
  }

  /** Newest first. */
  recent(limit = RECENT_EVENTS): LicenseEvent[] {
    return newestFirst(this.held(this.events.length - limit, this.events.length), limit);
  }

  byId(eventId: number): LicenseEvent | undefined {
    const i = eventId - 1 - this.base;
    return i >= this.head ? this.events[i] : undefined;
  }

  /**
   * Oldest first: `start` is a 0-based index over the whole log since the sandbox started (event_id - 1), for
   * paging `(0,200)`, `(200,200)`, …; evicted events are simply absent.
   */
  window(start: number, length: number): LicenseEvent[] {
    return this.held(start - this.base, start + length - this.base);
  }

  private held(from: number, to: number): LicenseEvent[] {
    return this.events.slice(Math.max(from, this.head), Math.max(to, this.head)) as LicenseEvent[];
  }

  private evictOldest(): void {
    const oldest = this.events[this.head]!;
    this.events[this.head] = undefined;
    this.head += 1;
    // Events are appended in order, so the oldest of the log, if still indexed, is its cookie's oldest.
    const forCookie = this.byCookie.get(oldest.cookie);
    if (forCookie?.[0] === oldest) {
      forCookie.shift();
      if (forCookie.length === 0) this.byCookie.delete(oldest.cookie);
    }
    if (this.head >= this.capacity) {
      this.events = this.events.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
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
