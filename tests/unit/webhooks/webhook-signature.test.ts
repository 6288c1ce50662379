import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, signWebhook } from '../../../src/webhooks/webhook-signature.js';

describe('webhook signatures', () => {
  it('makes whsec_ secrets of 32 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('signs as the Standard Webhooks library verifies, and only the bytes signed', () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ type: 'PURCHASED', timestamp: '2030-01-01T00:00:00.000Z', data: { userId: 'u' } });
    const headers = signWebhook(secret, 'msg_1', new Date(), body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const verifier = new Webhook(secret);
    expect(verifier.verify(body, { ...headers })).toEqual(JSON.parse(body));
    // The library's own signature agrees with ours.
    expect(verifier.sign('msg_1', new Date(Number(headers['webhook-timestamp']) * 1000), body)).toBe(
      headers['webhook-signature'],
    );
    expect(() => verifier.verify(`${body} `, { ...headers })).toThrow();
    expect(() => verifier.verify(body, { ...headers, 'webhook-id': 'msg_2' })).toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow();
  });
});
