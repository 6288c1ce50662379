/**
 * The device-binding flow: a binding starts PENDING with a fresh cookie and a dummy token; it becomes BOUND
 * when ExpressPlay's record log shows a device redeeming that token; it can be REVOKED by its owner, and a
 * PENDING one EXPIRES when nobody plays the dummy stream in time.
 */
import { randomUUID } from 'node:crypto';
import { ChangeCache } from '../cache/change-cache.js';
import type { PolicyConfig } from '../config/config.js';
import type { LicenseRecord } from '../datasources/expressplay/types.js';
import type { DrmSystem } from '../domain/enums.js';
import { BadUserInputError, DeviceLimitReachedError, DeviceNotBoundError, NotFoundError } from '../errors/app-error.js';
import { fromUpstream } from '../errors/from-upstream.js';
import { roughDuration } from './rough-duration.js';
import type { RateLimiter } from '../policy/rate-limiter.js';
import type { RequestUpstream } from '../policy/upstream-budget.js';
import type { BindingRecord, Store, TimeKeyset } from '../store/types.js';
import { requireAdmin, type Viewer } from '../auth/viewer.js';
import { isPlainText } from '../validation/text.js';
import type { BindingReaders } from './binding-readers.js';
import { newCookie } from './cookie.js';
import { DUMMY_CONTENT, dummyStreamUrl } from './dummy-stream.js';

export interface BindResult {
  readonly binding: BindingRecord;
  readonly licenseUrl: string;
  readonly contentUrl: string;
}

export interface BindingServiceDeps {
  readonly store: Store;
  readonly rateLimiter: RateLimiter;
  readonly policy: PolicyConfig;
  readonly publicUrl: string;
  readonly now: () => Date;
  /** PENDING and BOUND bindings kept in process (for lookups): how many, and for how long at most. */
  readonly cache?: { readonly maxEntries: number; readonly ttlMs: number };
}

/** What every request of the process shares. */
interface SharedBindings extends BindingServiceDeps {
  /**
   * PENDING and BOUND bindings by id, as stored. Every change of a stored binding (bound, revoked, renamed, expired,
   * used) tells the cache through the store's change feed; lookups (`deviceBinding`) read it, acts (purchase, rent,
   * licenseToken, unbind) never do. A PENDING copy only spares the store read: the lookup still asks ExpressPlay
   * (refresh), as it must, and a copy past its deadline is not served (the store may say EXPIRED).
   *
   * A copy that outlived its change (a replica that has not heard yet, at most CACHE_TTL_MS) never gives a wrong
   * answer to an act, which reads the store, and at worst a late one to a lookup: a PENDING copy whose device has
   * played makes refresh call markBound, which changes only a binding still PENDING in the store and otherwise
   * returns it as stored (REVOKED, EXPIRED or bound by another request); a revocation is announced like any change.
   */
  readonly rows: ChangeCache<BindingRecord>;
}

/** What one HTTP request brings to the binding flow (graphql/common/context.ts makes it once per request). */
export interface BindingRequestScope {
  /** The request's ExpressPlay, which charges the viewer's budget of upstream calls (policy/upstream-budget.ts). */
  readonly upstream: RequestUpstream;
  /** The request's own readers, made over `upstream.client`. */
  readonly readers: BindingReaders;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Long-lived: holds what every request shares. Each request works through its own `forRequest` scope. */
export class BindingService {
  private readonly shared: SharedBindings;

  constructor(deps: BindingServiceDeps) {
    const rows = new ChangeCache<BindingRecord>({
      maxEntries: deps.cache?.maxEntries ?? 0,
      ttlMs: deps.cache?.ttlMs ?? 0,
      now: deps.now,
      kind: 'binding',
      store: deps.store,
    });
    this.shared = { ...deps, rows };
  }

  forRequest(scope: BindingRequestScope): RequestBindings {
    return new RequestBindings(this.shared, scope);
  }

  /** Bindings held in process now (for tests and metrics). */
  get cachedBindings(): number {
    return this.shared.rows.size;
  }
}

/**
 * The binding flow for one HTTP request (every operation of a batch shares it). A binding is brought up to date
 * with ExpressPlay at most once per request, however many fields, aliases or operations ask for it: 50 aliases of
 * one PENDING binding cost one record retrieval and one refresh.
 */
export class RequestBindings {
  /** The request's up-to-date bindings by id, as they are being refreshed; a failure stays for the request. */
  private readonly current = new Map<string, Promise<BindingRecord | null>>();
  /** Lookups' PENDING bindings refreshed from the process's copy: shared by the request's lookups, never its acts. */
  private readonly looked = new Map<string, Promise<BindingRecord>>();

  constructor(
    private readonly deps: SharedBindings,
    private readonly scope: BindingRequestScope,
  ) {}

  async bind(viewer: Viewer, input: { name?: string | null; drm: DrmSystem }): Promise<BindResult> {
    // Reserved before any other work: past the request's budget, the operation costs nothing.
    const expressplay = this.scope.upstream.forTokenOperation();
    const name = deviceName(input.name);
    const { store, policy, now } = this.deps;
    // With the dummy token's hit of the user's ExpressPlay budget, in one statement when either needs the database.
    await this.deps.rateLimiter.check(viewer.userId, 'bindDevice', { alongside: 'upstream' });
    const at = now();
    await store.expirePendingBindings(viewer.userId, at);
    // A first check before ExpressPlay is asked, so a full account costs no upstream call. The store records a
    // refusal in the user's history ("why can't I bind my new phone?").
    // Only the bindings that can hold a slot are read: not a user's whole history.
    const coolingSince = new Date(at.getTime() - policy.deviceSwapCooldownSeconds * 1000);
    await store.admitBinding(
      viewer.userId,
      input.drm,
      at,
      (current) => this.checkDeviceSlots(current, at),
      coolingSince,
    );

    const cookie = newCookie();
    const pendingExpiresAt = new Date(at.getTime() + policy.pendingBindingTtlSeconds * 1000);
    // The dummy token is asked for before anything is stored: if ExpressPlay is down, no half-made binding
    // takes one of the user's device slots.
    let licenseUrl: string;
    try {
      ({ licenseUrl } = await expressplay.requestToken({
        drm: input.drm,
        ...DUMMY_CONTENT,
        rights: { type: 'BuyToOwn' },
        cookie,
        expirationTime: pendingExpiresAt,
      }));
    } catch (error) {
      throw fromUpstream(error, 'dummy token request');
    }
    // Checked again under the store's per-user lock: two concurrent binds cannot both take the last slot.
    const binding = await store.createBinding(
      { id: randomUUID(), userId: viewer.userId, name, cookie, drm: input.drm, createdAt: at, pendingExpiresAt },
      (current) => this.checkDeviceSlots(current, at),
      coolingSince,
    );
    return { binding, licenseUrl, contentUrl: dummyStreamUrl(this.deps.publicUrl, licenseUrl) };
  }

  /**
   * MAX_DEVICES counts PENDING and BOUND bindings, plus bound devices revoked within the cool-down, so that
   * unbinding and rebinding cannot spread one purchase across many devices. A device support removed with the
   * cool-down waived frees its slot at once.
   */
  private checkDeviceSlots(bindings: readonly BindingRecord[], at: Date): void {
    const { maxDevices, deviceSwapCooldownSeconds } = this.deps.policy;
    const active = bindings.filter((b) => b.status === 'PENDING' || b.status === 'BOUND');
    if (active.length >= maxDevices) {
      throw new DeviceLimitReachedError(
        `You already have ${active.length} active device binding(s), the most allowed is ${maxDevices}. ` +
          'Remove one with unbindDevice first.',
      );
    }
    const cooldownMs = deviceSwapCooldownSeconds * 1000;
    const coolingDown = bindings
      .filter((b) => b.status === 'REVOKED' && b.boundAt !== null && b.revokedAt !== null && !b.cooldownWaived)
      .map((b) => b.revokedAt!.getTime() + cooldownMs)
      .filter((freeAt) => freeAt > at.getTime())
      .sort((a, b) => a - b);
    if (active.length + coolingDown.length >= maxDevices) {
      // The slot that frees first decides when a retry can succeed.
      const waitSeconds = Math.ceil((coolingDown[0] - at.getTime()) / 1000);
      throw new DeviceLimitReachedError(
        `A device was removed recently; a new device can be bound from ${new Date(coolingDown[0]).toISOString()} ` +
          `(in ${roughDuration(waitSeconds)}).`,
        waitSeconds,
      );
    }
  }

  /**
   * The viewer's own binding, brought up to date with ExpressPlay; another user's is NOT_FOUND. For a lookup (reads)
   * the stored row may come from the process's cache: a BOUND one as it is, a PENDING one still refreshed. Anything
   * that acts on the binding asks for it as stored.
   */
  async get(viewer: Viewer, id: string, { lookup = false } = {}): Promise<BindingRecord> {
    const key = id.toLowerCase();
    const binding = UUID.test(id) ? await ((lookup ? this.lookedUp(key) : undefined) ?? this.upToDate(key)) : null;
    if (binding === null || binding.userId !== viewer.userId) throw new NotFoundError('device binding', id);
    return binding;
  }

  /** A lookup's binding from the process's copy of its row, or undefined to read the store. */
  private lookedUp(id: string): BindingRecord | Promise<BindingRecord> | undefined {
    if (this.current.has(id)) return undefined;
    const shared = this.looked.get(id);
    if (shared !== undefined) return shared;
    const now = this.deps.now().getTime();
    // Past its deadline a PENDING binding may have expired in the store: read it there.
    const copy = this.deps.rows.get(id, (b) => b.status !== 'PENDING' || now < b.pendingExpiresAt.getTime());
    if (copy === undefined || copy.status === 'BOUND') return copy;
    const binding = this.refresh(copy);
    // Settled by whoever awaits it; kept from being reported as unhandled meanwhile.
    binding.catch(() => undefined);
    this.looked.set(id, binding);
    return binding;
  }

  /** A page of the viewer's bindings, newest first, each brought up to date once per request. */
  async page(viewer: Viewer, limit: number, after: TimeKeyset | null): Promise<BindingRecord[]> {
    const rows = await this.deps.store.listBindingsPage(viewer.userId, limit, after);
    const settled = await Promise.allSettled(rows.map((row) => this.upToDate(row.id, row)));
    return settled.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value!;
    });
  }

  /**
   * The binding brought up to date, once per request: the first caller starts the refresh and every later one
   * (another alias, list item or operation of the batch) shares it. `row` is the binding as just read, if the
   * caller has it.
   */
  private upToDate(id: string, row?: BindingRecord): Promise<BindingRecord | null> {
    let binding = this.current.get(id);
    if (binding === undefined) {
      const { rows } = this.deps;
      // Taken before the read: a change heard of meanwhile (a revocation, or the markBound of a refresh, which is
      // announced too) keeps what was read out of the cache.
      const version = rows.version();
      const stored = row ? Promise.resolve(row) : this.scope.readers.bindingById.load(id);
      binding = stored.then(async (found) => {
        const current = found === null ? null : await this.refresh(found);
        // Not a page's rows: the page was read before `version` was taken. `current` is `found` or a row the refresh
        // read or wrote later, so all after `version`.
        if ((current?.status === 'BOUND' || current?.status === 'PENDING') && !row) {
          rows.set(current.id, current, version);
        }
        return current;
      });
      // Settled by whoever awaits it; kept from being reported as unhandled meanwhile.
      binding.catch(() => undefined);
      this.current.set(id, binding);
    }
    return binding;
  }

  /** A binding the viewer owns that is BOUND, or a DEVICE_NOT_BOUND error saying what to do. */
  async requireBound(viewer: Viewer, id: string): Promise<BindingRecord> {
    const binding = await this.get(viewer, id);
    switch (binding.status) {
      case 'BOUND':
        return binding;
      case 'PENDING':
        throw new DeviceNotBoundError(
          'This device binding is still PENDING: play the dummy stream from bindDevice on the device, then try again.',
        );
      case 'REVOKED':
        throw new DeviceNotBoundError('This device binding was revoked. Bind the device again with bindDevice.');
      case 'EXPIRED':
        throw new DeviceNotBoundError(
          'This device binding expired before the dummy stream was played. Start again with bindDevice.',
        );
    }
  }

  async unbind(viewer: Viewer, id: string): Promise<BindingRecord> {
    const binding = await this.get(viewer, id);
    if (binding.status === 'REVOKED' || binding.status === 'EXPIRED') return binding;
    const revoked = await this.deps.store.revokeBinding(binding.id, this.deps.now());
    this.current.delete(binding.id);
    this.looked.delete(binding.id);
    this.scope.readers.bindingById.clear(binding.id);
    if (revoked === null) throw new NotFoundError('device binding', id);
    this.current.set(revoked.id, Promise.resolve(revoked));
    return revoked;
  }

  /**
   * Renames a binding: its owner labels their devices, and support may fix a label for them. Anyone else gets
   * NOT_FOUND, as for any binding that is not theirs.
   */
  async rename(viewer: Viewer, id: string, input: string | null): Promise<BindingRecord> {
    const name = deviceName(input);
    const binding = viewer.isAdmin ? await this.anyBinding(id) : await this.get(viewer, id);
    const renamed = await this.deps.store.renameBinding(binding.id, name, actorOf(viewer), this.deps.now());
    if (renamed === null) throw new NotFoundError('device binding', id);
    this.forget(renamed);
    return renamed;
  }

  /**
   * Admins: removes a user's device for them with the swap cool-down waived, so that the user can bind a new device
   * at once (a lost or broken phone). On a binding the user already removed, only the cool-down is waived.
   */
  async removeForSupport(viewer: Viewer, id: string, reason: string): Promise<BindingRecord> {
    requireAdmin(viewer, 'remove a device for a user');
    const why = reason.trim();
    if (why.length === 0 || why.length > 500 || !isPlainText(why)) {
      throw new BadUserInputError('reason', 'reason must be 1-500 characters of plain text.');
    }
    const binding = await this.anyBinding(id);
    const revoked = await this.deps.store.revokeBinding(binding.id, this.deps.now(), {
      actor: actorOf(viewer),
      reason: why,
      waiveCooldown: true,
    });
    if (revoked === null) throw new NotFoundError('device binding', id);
    this.forget(revoked);
    return revoked;
  }

  /** Admins: a page of any user's bindings as stored, newest first (not refreshed: support reads, it does not bind). */
  async ofUser(viewer: Viewer, userId: string, limit: number, after: TimeKeyset | null): Promise<BindingRecord[]> {
    requireAdmin(viewer, "read another user's device bindings");
    return this.deps.store.listBindingsPage(userId, limit, after);
  }

  /** Any user's binding, for an admin; NOT_FOUND if there is none. */
  private async anyBinding(id: string): Promise<BindingRecord> {
    const binding = UUID.test(id) ? await this.deps.store.getBinding(id.toLowerCase()) : null;
    if (binding === null) throw new NotFoundError('device binding', id);
    return binding;
  }

  /** The request sees the binding as it is now changed. */
  private forget(changed: BindingRecord): void {
    this.scope.readers.bindingById.clear(changed.id);
    this.looked.delete(changed.id);
    this.current.set(changed.id, Promise.resolve(changed));
  }

  /**
   * Brings a PENDING binding up to date: the oldest granted license request with its cookie, made before the
   * binding expired, names the device. The first device to play wins; a later one cannot steal the binding.
   */
  private async refresh(binding: BindingRecord): Promise<BindingRecord> {
    if (binding.status !== 'PENDING') return binding;
    const { recordsByCookie } = this.scope.readers;
    let records: readonly LicenseRecord[];
    try {
      records = await recordsByCookie.load(binding.cookie);
    } catch (error) {
      // A transient failure must not stick for the rest of the request.
      recordsByCookie.clear(binding.cookie);
      throw fromUpstream(error, 'record retrieval');
    }
    const first = records
      .filter(
        (r) =>
          r.cookie === binding.cookie &&
          r.outcome === 'granted' &&
          r.deviceId !== '' &&
          r.time.getTime() <= binding.pendingExpiresAt.getTime(),
      )
      .sort((a, b) => a.eventId - b.eventId)[0];
    const { store, now } = this.deps;
    if (first) return (await store.markBound(binding.id, first.deviceId, first.time)) ?? binding;
    const at = now();
    if (at.getTime() >= binding.pendingExpiresAt.getTime()) {
      await store.expirePendingBindings(binding.userId, at);
      return (await store.getBinding(binding.id)) ?? binding;
    }
    return binding;
  }
}

/** A device's label as given: trimmed, empty for none; BAD_USER_INPUT past 64 characters or with control characters. */
function deviceName(input: string | null | undefined): string | null {
  const name = input?.trim() || null;
  if (name !== null && (name.length > 64 || !isPlainText(name))) {
    throw new BadUserInputError('name', 'name must be at most 64 characters, with no control characters.');
  }
  return name;
}

function actorOf(viewer: Viewer): { id: string; admin: boolean } {
  return { id: viewer.userId, admin: viewer.isAdmin };
}
