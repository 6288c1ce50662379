/**
 * Reading the event history the store writes with each change: the viewer's own, one binding's or entitlement's
 * (its owner's or an admin's), and any user's for support. Writing is the store's: an event is committed with the
 * change it records, never apart from it.
 */
import { requireAdmin, type Viewer } from '../auth/viewer.js';
import type { EventFilter, EventRecord, Store, TimeKeyset } from '../store/types.js';

/** An event as a viewer may see it: an admin's id is left out for a user who is not one. */
export type EventView = Omit<EventRecord, 'actor'> & {
  readonly actor: { readonly id: string | null; readonly admin: boolean } | null;
};

export interface EventHistoryDeps {
  readonly store: Store;
}

/** Long-lived and stateless: every request shares it. */
export class EventHistory {
  constructor(private readonly deps: EventHistoryDeps) {}

  /** The viewer's own history, newest first. */
  mine(viewer: Viewer, limit: number, after: TimeKeyset | null): Promise<EventView[]> {
    return this.page(viewer, { userId: viewer.userId }, limit, after);
  }

  /** Admins: any user's history. */
  ofUser(viewer: Viewer, userId: string, limit: number, after: TimeKeyset | null): Promise<EventView[]> {
    requireAdmin(viewer);
    return this.page(viewer, { userId }, limit, after);
  }

  /** The history of a binding or entitlement of `ownerId`: for the owner or an admin. */
  of(
    viewer: Viewer,
    ownerId: string,
    filter: { bindingId: string } | { entitlementId: string },
    limit: number,
    after: TimeKeyset | null,
  ): Promise<EventView[]> {
    // Callers reach a binding or entitlement only through a check of their own; this one keeps a future path honest.
    if (ownerId !== viewer.userId) requireAdmin(viewer);
    return this.page(viewer, filter, limit, after);
  }

  private async page(
    viewer: Viewer,
    filter: EventFilter,
    limit: number,
    after: TimeKeyset | null,
  ): Promise<EventView[]> {
    const events = await this.deps.store.listEventsPage(filter, limit, after);
    // Support staff act under their own ids, which users are not shown (as with an entitlement's revokedBy): a user
    // sees that an admin acted, not who.
    if (viewer.isAdmin) return events;
    return events.map((e) => (e.actor?.admin ? { ...e, actor: { id: null, admin: true } } : e));
  }
}
