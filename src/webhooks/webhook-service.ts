/**
 * Admins' webhook operations: register an endpoint (its secret shown this once), list and change endpoints, page
 * through deliveries with their attempts, and replay a delivery. Every one needs the admin role (FORBIDDEN
 * otherwise). URLs are judged by the SSRF policy (address-policy.ts) at registration and on every change.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { requireAdmin, type Viewer } from '../auth/viewer.js';
import { BadUserInputError, NotFoundError } from '../errors/app-error.js';
import type {
  EventType,
  Store,
  TimeKeyset,
  WebhookAttemptRecord,
  WebhookDeliveryFilter,
  WebhookDeliveryRecord,
  WebhookEndpointRecord,
} from '../store/types.js';
import { webhookUrlProblem, type Resolve } from './address-policy.js';
import { generateWebhookSecret } from './webhook-signature.js';

/** Longer URLs are refused: an endpoint is a receiver's address, not a place to carry data. */
const MAX_URL_LENGTH = 2000;

export interface WebhookServiceDeps {
  readonly store: Store;
  readonly now: () => Date;
  readonly allowPrivateUrls: boolean;
  /** Name resolution for the URL check; the system resolver otherwise (tests pass their own). */
  readonly resolve?: Resolve;
  readonly logger?: Pick<Logger, 'info'>;
}

export interface RegisteredWebhookEndpoint {
  readonly endpoint: WebhookEndpointRecord;
  /** `whsec_…`: returned only here, stored encrypted. */
  readonly secret: string;
}

export type WebhookDeliveryView = WebhookDeliveryRecord & { readonly attemptList: readonly WebhookAttemptRecord[] };

/** Long-lived and stateless: every request shares it. */
export class WebhookService {
  constructor(private readonly deps: WebhookServiceDeps) {}

  async register(
    viewer: Viewer,
    input: { url: string; eventTypes: readonly EventType[] },
  ): Promise<RegisteredWebhookEndpoint> {
    requireAdmin(viewer, 'register webhook endpoints');
    const url = await this.checkUrl(input.url);
    const eventTypes = checkEventTypes(input.eventTypes);
    const secret = generateWebhookSecret();
    const endpoint = await this.deps.store.createWebhookEndpoint({
      id: `ep_${randomUUID()}`,
      url,
      eventTypes,
      secret,
      createdBy: viewer.userId,
      createdAt: this.deps.now(),
    });
    this.deps.logger?.info(
      { admin: viewer.userId, endpointId: endpoint.id, eventTypes },
      'webhook endpoint registered',
    );
    return { endpoint, secret };
  }

  list(viewer: Viewer, limit: number, after: TimeKeyset | null): Promise<WebhookEndpointRecord[]> {
    requireAdmin(viewer, 'list webhook endpoints');
    return this.deps.store.listWebhookEndpointsPage(limit, after);
  }

  async update(
    viewer: Viewer,
    id: string,
    change: { url?: string | null; eventTypes?: readonly EventType[] | null; enabled?: boolean | null },
  ): Promise<WebhookEndpointRecord> {
    requireAdmin(viewer, 'change webhook endpoints');
    const url = change.url === undefined || change.url === null ? undefined : await this.checkUrl(change.url);
    const eventTypes =
      change.eventTypes === undefined || change.eventTypes === null ? undefined : checkEventTypes(change.eventTypes);
    const enabled = change.enabled ?? undefined;
    const endpoint = await this.deps.store.updateWebhookEndpoint(id, { url, eventTypes, enabled }, this.deps.now());
    if (!endpoint) throw new NotFoundError('webhook endpoint', id);
    this.deps.logger?.info(
      { admin: viewer.userId, endpointId: id, enabled: endpoint.enabled, eventTypes: endpoint.eventTypes },
      'webhook endpoint changed',
    );
    return endpoint;
  }

  /** A page of an endpoint's deliveries, newest first, each with its attempts (one more query for the page). */
  async deliveries(
    viewer: Viewer,
    filter: WebhookDeliveryFilter,
    limit: number,
    after: TimeKeyset | null,
  ): Promise<WebhookDeliveryView[]> {
    requireAdmin(viewer, 'look at webhook deliveries');
    if (!(await this.deps.store.getWebhookEndpoint(filter.endpointId))) {
      throw new NotFoundError('webhook endpoint', filter.endpointId);
    }
    const page = await this.deps.store.listWebhookDeliveriesPage(filter, limit, after);
    return this.withAttempts(page);
  }

  /**
   * Queues a DELIVERED or FAILED delivery again, with the same webhook-id (receivers dedupe on it) and a new retry
   * window. One still on its way (PENDING, SENDING) is returned as it is.
   */
  async replay(viewer: Viewer, id: string): Promise<WebhookDeliveryView> {
    requireAdmin(viewer, 'replay webhook deliveries');
    const delivery = await this.deps.store.replayWebhookDelivery(id, this.deps.now());
    if (!delivery) throw new NotFoundError('webhook delivery', id);
    this.deps.logger?.info({ admin: viewer.userId, webhookId: id }, 'webhook delivery replayed');
    const [view] = await this.withAttempts([delivery]);
    return view;
  }

  private async withAttempts(deliveries: readonly WebhookDeliveryRecord[]): Promise<WebhookDeliveryView[]> {
    const attempts = await this.deps.store.webhookAttemptsOf(deliveries.map((d) => d.id));
    return deliveries.map((d) => ({ ...d, attemptList: attempts.filter((a) => a.deliveryId === d.id) }));
  }

  private async checkUrl(url: string): Promise<string> {
    if (url.length > MAX_URL_LENGTH) {
      throw new BadUserInputError('url', `url must be at most ${MAX_URL_LENGTH} characters.`);
    }
    const problem = await webhookUrlProblem(url, {
      allowPrivate: this.deps.allowPrivateUrls,
      resolve: this.deps.resolve,
    });
    if (problem !== undefined) throw new BadUserInputError('url', problem);
    return url;
  }
}

function checkEventTypes(eventTypes: readonly EventType[]): EventType[] {
  const unique = [...new Set(eventTypes)];
  if (unique.length === 0) {
    throw new BadUserInputError('eventTypes', 'eventTypes must name at least one EventType to deliver.');
  }
  return unique;
}
