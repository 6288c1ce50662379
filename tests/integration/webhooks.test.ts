/**
 * Signed webhooks over HTTP, with the sandbox and the simulated device: an admin registers two endpoints on real local
 * receivers, one that never answers and one that does; a user binds a device and buys a title. The purchase answers
 * promptly however long the hung receiver holds its POST; the other receiver gets every event, signed so that the
 * Standard Webhooks library verifies it; admins see the deliveries with their attempts and replay one under its id.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bindAndPlay } from '../helpers/bind-and-play.js';
import { startTestApp, type GraphqlResponse, type TestApp } from '../helpers/test-app.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const REGISTER = /* GraphQL */ `
  mutation ($input: RegisterWebhookEndpointInput!) {
    registerWebhookEndpoint(input: $input) {
      endpoint {
        id
        url
        eventTypes
        enabled
      }
      secret
    }
  }
`;
const PURCHASE = /* GraphQL */ `
  mutation ($bindingId: ID!) {
    purchase(input: { contentId: "sintel", bindingId: $bindingId, idempotencyKey: "webhooks-buy-sintel" }) {
      entitlement {
        id
      }
    }
  }
`;
const DELIVERIES = /* GraphQL */ `
  query ($endpointId: ID!, $status: WebhookDeliveryStatus) {
    webhookDeliveries(endpointId: $endpointId, status: $status, first: 50) {
      nodes {
        id
        eventType
        status
        attemptCount
        attempts {
          number
          statusCode
          errorKind
        }
      }
    }
  }
`;
const REPLAY = /* GraphQL */ `
  mutation ($id: ID!) {
    replayWebhookDelivery(id: $id) {
      id
      status
    }
  }
`;

interface Registered {
  registerWebhookEndpoint: {
    endpoint: { id: string; url: string; eventTypes: string[]; enabled: boolean };
    secret: string;
  };
}
interface Deliveries {
  webhookDeliveries: {
    nodes: Array<{
      id: string;
      eventType: string;
      status: string;
      attemptCount: number;
      attempts: Array<{ number: number; statusCode: number | null; errorKind: string | null }>;
    }>;
  };
}

let app: TestApp;
let admin: string;
let good: WebhookReceiver;
let hung: WebhookReceiver;

beforeAll(async () => {
  [good, hung] = await Promise.all([startWebhookReceiver('ok'), startWebhookReceiver('hang')]);
  app = await startTestApp({
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    WEBHOOK_POLL_INTERVAL_MS: '50',
    WEBHOOK_BACKOFF_BASE_MS: '10',
    // A receiver that never answers holds its POST this long: far longer than any request may take.
    WEBHOOK_TIMEOUT_MS: '25000',
  });
  admin = await app.token('ops-1', { admin: true });
});

afterAll(async () => {
  await app?.stop();
  await Promise.all([good?.close(), hung?.close()]);
});

function ok<T>(response: GraphqlResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data!;
}

it('delivers signed events without ever holding up a request, and replays a delivery under its webhook-id', async () => {
  const user = await app.token('viewer-1');
  const forbidden = await app.gql(REGISTER, { input: { url: good.url, eventTypes: ['PURCHASED'] } }, { token: user });
  expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

  const registered = ok(
    await app.gql<Registered>(
      REGISTER,
      { input: { url: good.url, eventTypes: ['BINDING_STARTED', 'BINDING_BOUND', 'PURCHASED'] } },
      { token: admin },
    ),
  ).registerWebhookEndpoint;
  ok(await app.gql(REGISTER, { input: { url: hung.url, eventTypes: ['PURCHASED'] } }, { token: admin }));
  expect(registered.secret).toMatch(/^whsec_/);

  const { bindingId } = await bindAndPlay(app, user);
  const started = performance.now();
  ok(await app.gql(PURCHASE, { bindingId }, { token: user }));
  // The hung receiver holds its POST for 25 s; the purchase only queued it.
  expect(performance.now() - started).toBeLessThan(2000);

  await expect
    .poll(() => good.received.map((r) => (JSON.parse(r.body) as { type: string }).type).sort(), { timeout: 10_000 })
    .toEqual(['BINDING_BOUND', 'BINDING_STARTED', 'PURCHASED']);
  const verifier = new Webhook(registered.secret);
  for (const r of good.received) {
    const headers = { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature };
    expect(verifier.verify(r.body, headers)).toMatchObject({ data: { userId: 'viewer-1', bindingId } });
  }
  // Sent, and held: its attempt is still open when the test ends (the app's stop aborts it).
  await expect
    .poll(() => hung.received.map((r) => (JSON.parse(r.body) as { type: string }).type))
    .toEqual(['PURCHASED']);

  const deliveries = ok(
    await app.gql<Deliveries>(
      DELIVERIES,
      { endpointId: registered.endpoint.id, status: 'DELIVERED' },
      { token: admin },
    ),
  ).webhookDeliveries.nodes;
  expect(deliveries.map((d) => [d.eventType, d.attemptCount, d.attempts])).toEqual([
    ['PURCHASED', 1, [{ number: 1, statusCode: 204, errorKind: null }]],
    ['BINDING_BOUND', 1, [{ number: 1, statusCode: 204, errorKind: null }]],
    ['BINDING_STARTED', 1, [{ number: 1, statusCode: 204, errorKind: null }]],
  ]);
  const purchased = deliveries[0];
  expect(ok(await app.gql(REPLAY, { id: purchased.id }, { token: admin }))).toEqual({
    replayWebhookDelivery: { id: purchased.id, status: 'PENDING' },
  });
  await expect.poll(() => good.received.filter((r) => r.id === purchased.id).map((r) => r.attempt)).toEqual([1, 2]);
  const metrics = await (await fetch(`${app.url}/metrics`)).text();
  expect(metrics).toMatch(/^webhook_attempts_total\{outcome="delivered"\} [1-9]/m);
});
