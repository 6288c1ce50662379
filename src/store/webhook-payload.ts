/**
 * The body of a webhook, in the Standard Webhooks shape `{ type, timestamp, data }`, built from an event when it is
 * written. Only what the event itself shows (ids, actor, device id, DRM, offline, reason, name): never a content key,
 * a token, a license URL or an authenticator, none of which an event holds. Values are the API's: the DRM is named as
 * the GraphQL enum names it (WIDEVINE), and `type` is the EventType.
 */
import { DRM_SYSTEMS, type DrmSystem } from '../domain/enums.js';
import type { EventRecord } from './types.js';

/** An event as written, before the insert gives it its id (the body is joined around that id in SQL). */
export type WebhookEvent = Omit<EventRecord, 'id'>;

const DRM_NAMES = Object.fromEntries(Object.entries(DRM_SYSTEMS).map(([name, value]) => [value, name])) as Record<
  DrmSystem,
  keyof typeof DRM_SYSTEMS
>;

/** Stands for the event id, which the database makes in the statement that stores the body. */
const EVENT_ID = 'event-id-placeholder';

/**
 * The JSON text sent (byte for byte the same on every attempt: the signature covers it), as the text before and after
 * the event's id: the body is `before + id + after`. The id is a number, and goes in as a JSON string, like every id.
 */
export function webhookBodyAround(event: WebhookEvent): [before: string, after: string] {
  const body = webhookBody(event);
  const at = body.indexOf(`"${EVENT_ID}"`);
  return [body.slice(0, at + 1), body.slice(at + 1 + EVENT_ID.length)];
}

function webhookBody(event: WebhookEvent): string {
  const { deviceId, drm, offline, reason, name, cooldownWaived } = event.data;
  // Picked one by one rather than spread: a detail added to events later is not sent until it is added here.
  const details = {
    ...(deviceId !== undefined ? { deviceId } : {}),
    ...(drm !== undefined ? { drm: DRM_NAMES[drm] } : {}),
    ...(offline !== undefined ? { offline } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(cooldownWaived !== undefined ? { cooldownWaived } : {}),
  };
  return JSON.stringify({
    type: event.type,
    timestamp: event.at.toISOString(),
    data: {
      eventId: EVENT_ID,
      userId: event.userId,
      actor: event.actor,
      bindingId: event.bindingId,
      entitlementId: event.entitlementId,
      contentId: event.contentId,
      ...details,
    },
  });
}
