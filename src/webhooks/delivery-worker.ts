/**
 * Sends the outbox. Any replica may run one: each poll claims due deliveries in a short transaction
 * (`for update skip locked`, SENDING with a lease, the attempt number incremented), POSTs them outside any
 * transaction, then records each attempt and ends it DELIVERED (2xx), PENDING again after an exponential backoff with
 * full jitter, or FAILED once the next try would fall past the retry window. A worker that dies mid-send leaves its
 * rows SENDING; their lease ends and any worker claims them again (at least once: receivers dedupe on webhook-id).
 * User requests only insert rows: no receiver, slow or down, is ever waited for by one.
 */
import type { Logger } from 'pino';
import type { WebhookMetrics } from '../observability/metrics.js';
import type { ClaimedWebhookDelivery, Store } from '../store/types.js';
import type { SendResult, WebhookSend } from './webhook-sender.js';
import { signWebhook } from './webhook-signature.js';

/**
 * POSTs one worker has in flight at most. A round claims only as many as are free, and each that ends frees its place
 * at once: a receiver that hangs to the timeout holds one place, never the deliveries to the others.
 */
const MAX_IN_FLIGHT = 10;
/** Beyond the request timeout, how long a claim is held before another worker may take it (clock skew, recording). */
const LEASE_MARGIN_MS = 30_000;

export interface DeliveryWorkerOptions {
  readonly store: Store;
  readonly send: WebhookSend;
  readonly now: () => Date;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly retryWindowSeconds: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly logger: Pick<Logger, 'warn' | 'error'>;
  /** In [0, 1): the jitter. */
  readonly random?: () => number;
  readonly metrics?: WebhookMetrics;
}

export class DeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  /** Set by stop(): no POST starts after it, even in a round that runOnce() began. */
  private stopping = false;
  private unsubscribe: (() => void) | undefined;
  /** One per POST in flight, aborted by stop(). */
  private readonly inFlight = new Set<AbortController>();
  /** The deliveries started by rounds and not yet recorded. */
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly options: DeliveryWorkerOptions) {}

  /** Polls from now on, and at once whenever this process commits an event that queued deliveries. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopping = false;
    this.unsubscribe = this.options.store.onWebhooksQueued(() => this.wake());
    this.wake();
  }

  /** Runs a round now (or right after the one running). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.drain()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'webhook delivery round failed'))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
        } else {
          this.timer = setTimeout(() => this.wake(), this.options.pollIntervalMs);
        }
      });
  }

  /**
   * Stops polling and aborts the POSTs in flight; what they held is left to its lease (another worker, or this one
   * after a restart, sends it again). Resolves once nothing of the worker runs, before the store may close.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    for (const controller of this.inFlight) controller.abort();
    await this.running;
    await Promise.all(this.sending);
  }

  /** Claims one batch of due deliveries and sends it; how many were claimed. For tests with a clock of their own. */
  async runOnce(): Promise<number> {
    const claimed = await this.claim(MAX_IN_FLIGHT);
    await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    return claimed.length;
  }

  private claim(limit: number): Promise<ClaimedWebhookDelivery[]> {
    const { store, now, timeoutMs } = this.options;
    const at = now();
    return store.claimWebhookDeliveries(at, new Date(at.getTime() + timeoutMs + LEASE_MARGIN_MS), limit);
  }

  /** Claims as many as there are free places, until nothing more is due; does not wait for the POSTs. */
  private async drain(): Promise<void> {
    while (!this.stopped) {
      const free = MAX_IN_FLIGHT - this.sending.size;
      if (free <= 0) return;
      const claimed = await this.claim(free);
      for (const delivery of claimed) {
        const sent: Promise<void> = this.deliver(delivery)
          .catch((error: unknown) => this.options.logger.error({ err: error }, 'webhook delivery failed to record'))
          .finally(() => {
            this.sending.delete(sent);
            // A place is free: more may be due.
            this.wake();
          });
        this.sending.add(sent);
      }
      if (claimed.length < free) return;
    }
  }

  private async deliver(delivery: ClaimedWebhookDelivery): Promise<void> {
    const { store, send, now, logger } = this.options;
    const startedAt = now();
    // The attempt number is not part of the convention: a receiver may log it; it dedupes on webhook-id.
    const headers = {
      ...signWebhook(delivery.secret, delivery.id, startedAt, delivery.body),
      'webhook-attempt': String(delivery.attempt),
    };
    // Claimed as the worker was stopping: left to its lease, like one whose POST was aborted.
    if (this.stopping) return;
    const controller = new AbortController();
    this.inFlight.add(controller);
    let result: SendResult;
    try {
      result = await send(delivery.url, headers, delivery.body, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) return;
      throw error;
    } finally {
      this.inFlight.delete(controller);
    }
    const finishedAt = now();
    const attempt = { ...result, startedAt, finishedAt };
    const failure = result.errorKind === null ? null : describe(result);
    const seconds = result.durationMs / 1000;
    if (failure === null) {
      this.options.metrics?.record('delivered', seconds);
      await store.recordWebhookAttempt(delivery.id, delivery.attempt, {
        attempt,
        status: 'DELIVERED',
        lastError: null,
      });
      return;
    }
    const nextAttemptAt = new Date(finishedAt.getTime() + this.backoffMs(delivery.attempt));
    const deadline = delivery.queuedAt.getTime() + this.options.retryWindowSeconds * 1000;
    const gaveUp = nextAttemptAt.getTime() > deadline;
    this.options.metrics?.record(gaveUp ? 'failed' : 'retry', seconds);
    await store.recordWebhookAttempt(delivery.id, delivery.attempt, {
      attempt,
      status: gaveUp ? 'FAILED' : 'PENDING',
      ...(gaveUp ? {} : { nextAttemptAt }),
      lastError: failure,
    });
    // The delivery id and what happened; never the body, the secret or the receiver's answer.
    logger.warn(
      { webhookId: delivery.id, attempt: delivery.attempt, failure, gaveUp },
      gaveUp ? 'webhook delivery failed for good' : 'webhook delivery attempt failed; will retry',
    );
  }

  /** Full jitter: anywhere from 0 to base·2^(n-1), capped (AWS's "Exponential Backoff And Jitter"). */
  private backoffMs(attempt: number): number {
    const { backoffBaseMs, backoffMaxMs, random = Math.random } = this.options;
    const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(attempt - 1, 40));
    return Math.floor(random() * ceiling);
  }
}

function describe(result: SendResult): string {
  return result.errorKind === 'HTTP_STATUS' ? `HTTP ${result.statusCode}` : (result.errorKind ?? 'unknown');
}
