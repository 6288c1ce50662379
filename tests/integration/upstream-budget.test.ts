/**
 * The per-user budget of ExpressPlay calls: per HTTP request and per minute, over every operation that reaches
 * ExpressPlay, counted at the real sandbox. One user's flood must not cost other users anything.
 */
import { describe, expect, it } from 'vitest';
import { newDeviceId, playStream } from '../../src/device/simulated-device.js';
import { startTestApp, type GraphqlResponse, type TestApp } from '../helpers/test-app.js';

const BIND = `mutation { bindDevice(input: {}) { binding { id } contentUrl } }`;

/** A BOUND binding of the token's user, and a purchase of sintel on it: 3 ExpressPlay calls. */
async function entitledUser(app: TestApp, token: string): Promise<string> {
  const r = await app.gql<{ bindDevice: { binding: { id: string }; contentUrl: string } }>(BIND, {}, { token });
  expect(r.errors).toBeUndefined();
  await playStream(r.data!.bindDevice.contentUrl, newDeviceId());
  const id = r.data!.bindDevice.binding.id;
  const b = await app.gql<{ deviceBinding: { status: string } }>(
    `query($id: ID!) { deviceBinding(id: $id) { status } }`,
    { id },
    { token },
  );
  expect(b.data!.deviceBinding.status).toBe('BOUND');
  const buy = await app.gql(purchase(id, `${token.slice(-12)}-0001`), {}, { token });
  expect(buy.errors).toBeUndefined();
  return id;
}

const purchase = (bindingId: string, key: string, contentId = 'sintel') =>
  `mutation { purchase(input: { contentId: "${contentId}", bindingId: "${bindingId}", idempotencyKey: "${key}" }) { licenseUrl } }`;

const licenseTokens = (bindingId: string, aliases: number) =>
  `{ ${Array.from({ length: aliases }, (_, i) => `t${i}: licenseToken(contentId: "sintel", bindingId: "${bindingId}") { licenseUrl }`).join(' ')} }`;

/** One HTTP POST carrying several operations. */
async function batch(
  app: TestApp,
  token: string,
  queries: string[],
): Promise<Array<GraphqlResponse<Record<string, unknown>>>> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(queries.map((query) => ({ query }))),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Array<GraphqlResponse<Record<string, unknown>>>;
}

/** Fields answered and errors, over all operations of some responses. */
function tally(responses: Array<GraphqlResponse<Record<string, unknown>>>) {
  const errors = responses.flatMap((r) => r.errors ?? []);
  const answered = responses.flatMap((r) => Object.values(r.data ?? {})).filter((v) => v !== null).length;
  return { answered, errors, codes: new Set(errors.map((e) => e.extensions?.code)) };
}

async function circuitTrouble(app: TestApp): Promise<number> {
  const metric = await app.services.metrics.registry.getSingleMetric('expressplay_requests_total')!.get();
  return metric.values
    .filter((v) => v.labels.outcome === 'circuit_open' || v.labels.outcome === 'unavailable')
    .reduce((sum, v) => sum + v.value, 0);
}

/** Time for calls still in flight after a response to reach the sandbox. Not a timing assertion: a count after it. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

/** A clock stopped at the start of the test: every call of it falls in one rate-limit window. */
const frozenClock = () => {
  const at = new Date();
  return () => new Date(at);
};

describe('upstream budget', () => {
  it('cuts one POST of 10 operations × 60 licenseToken aliases at the per-request budget', async () => {
    const app = await startTestApp({ UPSTREAM_CALLS_PER_REQUEST: '20' });
    try {
      const token = await app.token('hoarder');
      const bindingId = await entitledUser(app, token);
      app.sandbox!.resetStats();

      const responses = await batch(
        app,
        token,
        Array.from({ length: 10 }, () => licenseTokens(bindingId, 60)),
      );
      const { errors, codes } = tally(responses);
      // licenseToken is non-null: one refused alias nulls its operation's data, and the response may leave before
      // the admitted calls are done. The batch shares one budget: 20 token requests in all, not 20 per operation.
      await expect.poll(() => app.sandbox!.stats().token).toBe(20);
      await settle();
      expect(app.sandbox!.stats().token).toBe(20);
      expect(errors.length).toBeGreaterThanOrEqual(10);
      expect(codes).toEqual(new Set(['RATE_LIMITED']));
      expect(errors[0].extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(errors[0].message).toMatch(/more than 20 calls .* Send the rest in another request/);

      // The next request has a budget of its own.
      const next = await app.gql(licenseTokens(bindingId, 2), {}, { token });
      expect(next.errors).toBeUndefined();
    } finally {
      await app.stop();
    }
  });

  it('costs one unit for 50 aliases of one PENDING binding (one record retrieval per cookie and request)', async () => {
    const app = await startTestApp({ UPSTREAM_CALLS_PER_REQUEST: '2' });
    try {
      const token = await app.token('poller');
      const bound = await app.gql<{ bindDevice: { binding: { id: string } } }>(BIND, {}, { token });
      const id = bound.data!.bindDevice.binding.id;
      app.sandbox!.resetStats();
      const aliases = Array.from({ length: 50 }, (_, i) => `b${i}: deviceBinding(id: $id) { status }`).join(' ');
      const r = await app.gql(`query($id: ID!) { ${aliases} deviceBindings { nodes { status } } }`, { id }, { token });
      expect(r.errors).toBeUndefined();
      expect(app.sandbox!.stats().getrecord).toBe(1);
    } finally {
      await app.stop();
    }
  });

  it("holds a user's calls per minute across requests and operations, with no ExpressPlay call past it", async () => {
    const app = await startTestApp(
      { UPSTREAM_CALLS_PER_REQUEST: '20', UPSTREAM_CALLS_PER_MINUTE: '12', MAX_DEVICES: '10' },
      { now: frozenClock() },
    );
    try {
      const token = await app.token('spender');
      const bindingId = await entitledUser(app, token); // 3 calls
      // 9 more in three requests: the minute's 12 are spent.
      for (let i = 0; i < 3; i++) {
        expect((await app.gql(licenseTokens(bindingId, 3), {}, { token })).errors).toBeUndefined();
      }
      app.sandbox!.resetStats();

      // Every operation that reaches ExpressPlay is refused before it does.
      const pending = await app.gql<{ bindDevice: unknown }>(BIND, {}, { token });
      const refusals = [
        pending,
        await app.gql(licenseTokens(bindingId, 1), {}, { token }),
        await app.gql(purchase(bindingId, 'spender-0002', 'tears-of-steel'), {}, { token }),
        await app.gql(
          `mutation { rent(input: { contentId: "big-buck-bunny", bindingId: "${bindingId}", idempotencyKey: "spender-0003" }) { licenseUrl } }`,
          {},
          { token },
        ),
      ];
      for (const r of refusals) {
        expect(r.errors![0].extensions!.code).toBe('RATE_LIMITED');
        const wait = r.errors![0].extensions!.retryAfterSeconds as number;
        expect(wait).toBeGreaterThanOrEqual(1);
        expect(wait).toBeLessThanOrEqual(60);
        expect(r.errors![0].message).toMatch(/12 calls .* this minute/);
      }
      expect(app.sandbox!.stats()).toMatchObject({ token: 0, getrecord: 0 });

      // Another user's budget is their own.
      const other = await app.token('thrifty');
      expect((await app.gql(BIND, {}, { token: other })).errors).toBeUndefined();
      expect(app.sandbox!.stats().token).toBe(1);
    } finally {
      await app.stop();
    }
  });

  it('refreshes a PENDING binding within the budget: a status check past it is refused, not made', async () => {
    const app = await startTestApp(
      { UPSTREAM_CALLS_PER_REQUEST: '20', UPSTREAM_CALLS_PER_MINUTE: '2' },
      { now: frozenClock() },
    );
    try {
      const token = await app.token('watcher');
      const bound = await app.gql<{ bindDevice: { binding: { id: string } } }>(BIND, {}, { token });
      const id = bound.data!.bindDevice.binding.id;
      const q = `query($id: ID!) { deviceBinding(id: $id) { status } }`;
      expect((await app.gql(q, { id }, { token })).errors).toBeUndefined();
      app.sandbox!.resetStats();
      const refused = await app.gql(q, { id }, { token });
      expect(refused.errors![0].extensions!.code).toBe('RATE_LIMITED');
      expect(app.sandbox!.stats().getrecord).toBe(0);
    } finally {
      await app.stop();
    }
  });

  it("leaves ExpressPlay to other users during one user's flood: their purchases succeed, the circuit stays closed", async () => {
    // The defaults: 20 calls per request, 120 per minute.
    const app = await startTestApp({ UPSTREAM_CALLS_PER_MINUTE: '' }, { now: frozenClock() });
    try {
      const flooder = await app.token('flooder');
      const floodBinding = await entitledUser(app, flooder);
      const others = await Promise.all(['calm-1', 'calm-2', 'calm-3'].map((u) => app.token(u)));
      const otherBindings = await Promise.all(others.map((t) => entitledUser(app, t)));
      app.sandbox!.resetStats();

      // 8 POSTs of 10 operations × 30 licenseToken aliases: each asks for far more than the request's 20 calls, and
      // together for more than the minute's 117 left (8 × 20 = 160 admitted at most by the per-request budget alone).
      const flood = Promise.all(
        Array.from({ length: 8 }, () =>
          batch(
            app,
            flooder,
            Array.from({ length: 10 }, () => licenseTokens(floodBinding, 30)),
          ),
        ),
      );
      // Meanwhile, and after: the other users buy titles and ask for licenses.
      const during = await Promise.all(
        others.flatMap((t, i) => [
          app.gql(purchase(otherBindings[i], `calm-${i}-buy-tears`, 'tears-of-steel'), {}, { token: t }),
          app.gql(licenseTokens(otherBindings[i], 3), {}, { token: t }),
        ]),
      );
      const flooded = tally((await flood).flat());
      const after = await Promise.all(
        others.map((t, i) =>
          app.gql(purchase(otherBindings[i], `calm-${i}-buy-bunny`, 'big-buck-bunny'), {}, { token: t }),
        ),
      );
      await settle();

      for (const r of [...during, ...after]) expect(r.errors).toBeUndefined();
      // The flooder got at most their minute's 120 calls (3 went to the setup), the others their 15.
      expect(flooded.codes).toEqual(new Set(['RATE_LIMITED']));
      expect(app.sandbox!.stats().token).toBeLessThanOrEqual(117 + 15);
      expect(await circuitTrouble(app)).toBe(0);
    } finally {
      await app.stop();
    }
  }, 120_000);
});
