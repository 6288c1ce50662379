/**
 * One POST of a signed webhook, outside any transaction. got with no retries (the outbox retries), no redirects
 * followed (a 3xx is a failed attempt: following one would let a receiver point the service elsewhere), a timeout over
 * the whole request, and at most a few hundred bytes of the answer read: a receiver cannot hold the worker or fill its
 * memory. The socket dials only addresses the SSRF policy allows (guardedLookup), checked on the resolved address.
 */
import got, { type Got } from 'got';
import { isIP } from 'node:net';
import type { WebhookAttemptError } from '../domain/enums.js';
import { redactSecrets } from '../observability/redact.js';
import { guardedLookup, nonPublicReason, type Resolve } from './address-policy.js';
import type { WebhookHeaders } from './webhook-signature.js';

/** Bytes of the receiver's answer read at most; the rest is discarded unread. */
const ANSWER_BYTES = 512;
/** Characters of the answer kept with the attempt, for an admin looking at why it failed. */
const SNIPPET_CHARS = 100;

export interface SendResult {
  readonly statusCode: number | null;
  readonly errorKind: WebhookAttemptError | null;
  readonly responseSnippet: string | null;
  readonly durationMs: number;
}

/** `signal` aborts the POST (the worker is stopping): it then rejects, and nothing is recorded. */
export type WebhookSend = (
  url: string,
  headers: WebhookHeaders & Record<string, string>,
  body: string,
  signal?: AbortSignal,
) => Promise<SendResult>;

export function createWebhookSender(options: {
  readonly timeoutMs: number;
  readonly allowPrivate: boolean;
  /** Name resolution, for tests; the system resolver otherwise. */
  readonly resolve?: Resolve;
}): WebhookSend {
  const client: Got = got.extend({
    retry: { limit: 0 },
    followRedirect: false,
    throwHttpErrors: false,
    timeout: { request: options.timeoutMs },
    // got types its own cacheable lookup; Node's socket takes any dns.lookup-shaped function.
    ...(options.allowPrivate ? {} : { dnsLookup: guardedLookup(options.resolve) as never }),
    headers: { 'user-agent': 'device-binding-entitlement-api webhooks' },
  });

  return async (url, headers, body, signal) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // An IP literal is dialled without a lookup: judged here instead.
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    if (!options.allowPrivate && isIP(host) !== 0 && nonPublicReason(host) !== undefined) {
      return { statusCode: null, errorKind: 'ADDRESS_REFUSED', responseSnippet: null, durationMs: elapsed() };
    }
    try {
      const { statusCode, answer } = await post(client, url, headers, body, signal);
      const ok = statusCode >= 200 && statusCode < 300;
      return {
        statusCode,
        errorKind: ok ? null : 'HTTP_STATUS',
        responseSnippet: ok ? null : snippet(answer),
        durationMs: elapsed(),
      };
    } catch (error) {
      if (signal?.aborted) throw error;
      return { statusCode: null, errorKind: errorKind(error), responseSnippet: null, durationMs: elapsed() };
    }
  };
}

function post(
  client: Got,
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal | undefined,
): Promise<{ statusCode: number; answer: Buffer }> {
  return new Promise((resolve, reject) => {
    const stream = client.stream.post(url, {
      body,
      ...(signal ? { signal } : {}),
      headers: { ...headers, 'content-type': 'application/json' },
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let statusCode = 0;
    stream.on('response', (response: { statusCode: number }) => {
      statusCode = response.statusCode;
    });
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      // Enough to tell an admin what the receiver said; the rest is not read.
      if (size >= ANSWER_BYTES) {
        stream.destroy();
        resolve({ statusCode, answer: Buffer.concat(chunks).subarray(0, ANSWER_BYTES) });
      }
    });
    stream.on('end', () => resolve({ statusCode, answer: Buffer.concat(chunks) }));
    stream.on('error', reject);
  });
}

function errorKind(error: unknown): WebhookAttemptError {
  const code = (error as { code?: unknown }).code;
  if (code === 'ETIMEDOUT') return 'TIMEOUT';
  if (code === 'EADDRREFUSED') return 'ADDRESS_REFUSED';
  return 'CONNECTION';
}

/** The start of the answer as one line of printable text, secrets redacted. */
function snippet(answer: Buffer): string | null {
  // Redacted before it is cut, so that no secret is cut short of what the redaction recognises.
  const text = redactSecrets(answer.toString('utf8').replace(/[\p{Cc}\p{Cf}]+/gu, ' ')).trim();
  if (text === '') return null;
  return text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text;
}
