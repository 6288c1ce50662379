/**
 * ExpressPlay refusing a request of ours (here: a customer authenticator it does not know) is a configuration
 * fault, not the client's: the client gets UPSTREAM_UNAVAILABLE with a later retry (never INTERNAL_SERVER_ERROR),
 * the operator one error line with ExpressPlay's code and the request id, and the authenticator appears in neither.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const KNOWN = `1000,${'ab'.repeat(16)}`;
const WRONG_SECRET = 'cd'.repeat(16);

let sandbox: RunningSandbox;
let app: TestApp;
const lines: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ customerAuthenticators: [KNOWN] });
  app = await startTestApp(
    {
      EXPRESSPLAY_TOKEN_BASE: sandbox.url,
      EXPRESSPLAY_API_BASE: sandbox.url,
      EXPRESSPLAY_CUSTOMER_AUTHENTICATOR: `1000,${WRONG_SECRET}`,
    },
    {
      logger: createLogger('info', new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) })),
    },
  );
});
afterAll(async () => {
  await app?.stop();
  await sandbox?.close();
});

describe('ExpressPlay refuses our request', () => {
  it('gives the client UPSTREAM_UNAVAILABLE with a later retry, and the operator one error line with the code', async () => {
    const token = await app.token('misconfigured');
    const r = await app.gql(
      `mutation { bindDevice(input: {}) { licenseUrl } }`,
      {},
      { token, headers: { 'x-request-id': 'support-ticket-42' } },
    );
    expect(r.errors).toEqual([
      {
        message: expect.stringMatching(/refused a request of ours.*try again later/),
        locations: expect.any(Array),
        path: ['bindDevice'],
        extensions: { code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 300 },
      },
    ]);
    expect(sandbox.stats().token).toBe(1); // a 4xx is never retried

    const errors = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      requestId: 'support-ticket-42',
      upstreamCode: -2018,
      reason: expect.stringMatching(/check EXPRESSPLAY_CUSTOMER_AUTHENTICATOR/),
      msg: expect.stringMatching(/check the configuration/),
    });
    expect(lines.join('')).not.toContain(WRONG_SECRET);
    expect(JSON.stringify(r)).not.toContain(WRONG_SECRET);
  });
});
