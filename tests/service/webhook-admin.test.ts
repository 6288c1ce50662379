/**
 * Admins' webhook operations through the resolvers (executeOperation, the app's wiring, default configuration): the
 * SSRF refusals with their code, field and the switch to name; FORBIDDEN for everyone else; the secret shown once;
 * disabling an endpoint stops queueing; deliveries page newest first; replay of an unknown id is NOT_FOUND.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServiceHarness, type ServiceHarness } from '../helpers/service-harness.js';

const REGISTER = `mutation($url: String!, $types: [EventType!]!) {
  registerWebhookEndpoint(input: { url: $url, eventTypes: $types }) { endpoint { id url eventTypes enabled createdBy } secret } }`;
const UPDATE = `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { id enabled eventTypes } }`;
const ENDPOINTS = `{ webhookEndpoints(first: 10) { nodes { id url } } }`;
const DELIVERIES = `query($id: ID!, $after: String) { webhookDeliveries(endpointId: $id, first: 2, after: $after) {
  nodes { eventType status attemptCount attempts { number } nextAttemptAt } pageInfo { hasNextPage endCursor } } }`;
const REPLAY = `mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }`;
const BIND = `mutation { bindDevice(input: { name: "tv" }) { binding { id } } }`;

let h: ServiceHarness;
const asAdmin = { userId: 'ops-1', admin: true };
type Result = Awaited<ReturnType<ServiceHarness['execute']>>;
const codeOf = (r: Result) => r.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  h = await createServiceHarness();
});
afterAll(async () => {
  await h?.close();
});

it.each([
  ['loopback', 'https://127.0.0.1/hooks'],
  ['10/8', 'https://10.1.2.3/hooks'],
  ['cloud metadata', 'https://169.254.169.254/latest/meta-data/'],
  ['IPv6 loopback', 'https://[::1]/hooks'],
  ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/hooks'],
  ['a name resolving to 127.0.0.1', 'https://localhost:8443/hooks'],
])('refuses an endpoint on %s with BAD_USER_INPUT naming the switch', async (_, url) => {
  const r = await h.execute(REGISTER, { url, types: ['PURCHASED'] }, asAdmin);
  expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
  expect(r.errors?.[0]?.message).toMatch(/public address.*WEBHOOK_ALLOW_PRIVATE_URLS=true/);
});

it('wants https, and at least one event type', async () => {
  const http = await h.execute(REGISTER, { url: 'http://93.184.215.14/hooks', types: ['PURCHASED'] }, asAdmin);
  expect(http.errors?.[0]?.message).toMatch(/https:\/\//);
  const none = await h.execute(REGISTER, { url: 'https://93.184.215.14/hooks', types: [] }, asAdmin);
  expect(none.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'eventTypes' });
});

it('is for admins only', async () => {
  const user = { userId: 'viewer-1' };
  expect(codeOf(await h.execute(REGISTER, { url: 'https://93.184.215.14/', types: ['PURCHASED'] }, user))).toBe(
    'FORBIDDEN',
  );
  expect(codeOf(await h.execute(ENDPOINTS, {}, user))).toBe('FORBIDDEN');
  expect(codeOf(await h.execute(UPDATE, { input: { id: 'ep_x', enabled: false } }, user))).toBe('FORBIDDEN');
  expect(codeOf(await h.execute(DELIVERIES, { id: 'ep_x' }, user))).toBe('FORBIDDEN');
  expect(codeOf(await h.execute(REPLAY, { id: 'msg_x' }, user))).toBe('FORBIDDEN');
});

it('shows the secret once, queues only while enabled, pages deliveries, and knows no unknown delivery', async () => {
  const r = await h.execute<{
    registerWebhookEndpoint: { endpoint: { id: string; createdBy: string }; secret: string };
  }>(REGISTER, { url: 'https://93.184.215.14/hooks', types: ['BINDING_STARTED'] }, asAdmin);
  expect(r.errors).toBeUndefined();
  const { endpoint, secret } = r.data!.registerWebhookEndpoint;
  expect(endpoint.createdBy).toBe('ops-1');
  expect(JSON.stringify((await h.execute(ENDPOINTS, {}, asAdmin)).data)).not.toContain(secret);

  for (let i = 0; i < 3; i += 1) expect((await h.execute(BIND, {}, { userId: `u-${i}` })).errors).toBeUndefined();
  const disabled = await h.execute(UPDATE, { input: { id: endpoint.id, enabled: false } }, asAdmin);
  expect(disabled.data).toEqual({
    updateWebhookEndpoint: { id: endpoint.id, enabled: false, eventTypes: ['BINDING_STARTED'] },
  });
  expect((await h.execute(BIND, {}, { userId: 'u-late' })).errors).toBeUndefined();

  type Page = {
    webhookDeliveries: {
      nodes: Array<{
        eventType: string;
        status: string;
        attemptCount: number;
        attempts: unknown[];
        nextAttemptAt: string;
      }>;
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
  };
  const first = await h.execute<Page>(DELIVERIES, { id: endpoint.id }, asAdmin);
  const second = await h.execute<Page>(
    DELIVERIES,
    { id: endpoint.id, after: first.data!.webhookDeliveries.pageInfo.endCursor },
    asAdmin,
  );
  const nodes = [...first.data!.webhookDeliveries.nodes, ...second.data!.webhookDeliveries.nodes];
  // Three binds while enabled, none after: the worker is not running here, so all wait.
  expect(nodes).toEqual(
    Array(3).fill({
      eventType: 'BINDING_STARTED',
      status: 'PENDING',
      attemptCount: 0,
      attempts: [],
      nextAttemptAt: h.now().toISOString(),
    }),
  );
  expect(second.data!.webhookDeliveries.pageInfo.hasNextPage).toBe(false);
  expect(codeOf(await h.execute(REPLAY, { id: 'msg_unknown' }, asAdmin))).toBe('NOT_FOUND');
  expect(codeOf(await h.execute(DELIVERIES, { id: 'ep_unknown' }, asAdmin))).toBe('NOT_FOUND');
  expect(codeOf(await h.execute(UPDATE, { input: { id: 'ep_unknown', enabled: true } }, asAdmin))).toBe('NOT_FOUND');
});
