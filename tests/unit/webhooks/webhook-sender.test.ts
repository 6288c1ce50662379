import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSender } from '../../../src/webhooks/webhook-sender.js';
import { signWebhook } from '../../../src/webhooks/webhook-signature.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

const headers = signWebhook('whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'msg_1', new Date(), '{}');

describe('webhook sender', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver.close());

  const send = createWebhookSender({ timeoutMs: 300, allowPrivate: true });

  it('POSTs the body with the signature headers and takes a 2xx as delivered', async () => {
    receiver.answer('ok');
    expect(await send(receiver.url, { ...headers }, '{"a":1}')).toMatchObject({ statusCode: 204, errorKind: null });
    expect(receiver.received.at(-1)).toMatchObject({ id: 'msg_1', body: '{"a":1}' });
  });

  it('does not follow redirects, and keeps only a short redacted start of a failed answer', async () => {
    receiver.answer('redirect');
    expect(await send(receiver.url, { ...headers }, '{}')).toMatchObject({ statusCode: 302, errorKind: 'HTTP_STATUS' });
    receiver.answer('chatty');
    const chatty = await send(receiver.url, { ...headers }, '{}');
    expect(chatty).toMatchObject({ statusCode: 500, errorKind: 'HTTP_STATUS' });
    expect(chatty.responseSnippet!.length).toBeLessThanOrEqual(101);
    expect(chatty.responseSnippet).not.toContain('hunter2');
  });

  it('gives up on a receiver that does not answer in time, and on one that resets', async () => {
    receiver.answer('hang');
    expect(await send(receiver.url, { ...headers }, '{}')).toMatchObject({ statusCode: null, errorKind: 'TIMEOUT' });
    receiver.answer('reset');
    expect(await send(receiver.url, { ...headers }, '{}')).toMatchObject({ errorKind: 'CONNECTION' });
  });

  it('without the switch, refuses to dial a loopback address, literal or resolved (nothing is sent)', async () => {
    receiver.answer('ok');
    const before = receiver.received.length;
    const guarded = createWebhookSender({ timeoutMs: 300, allowPrivate: false });
    expect(await guarded(receiver.url, { ...headers }, '{}')).toMatchObject({ errorKind: 'ADDRESS_REFUSED' });
    const byName = receiver.url.replace('127.0.0.1', 'localhost');
    expect(await guarded(byName, { ...headers }, '{}')).toMatchObject({ errorKind: 'ADDRESS_REFUSED' });
    expect(receiver.received).toHaveLength(before);
  });
});
