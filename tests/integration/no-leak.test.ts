/**
 * A full flow, faults included, with debug logging captured: no response and no log line may contain a content
 * key, the customer authenticator or a bearer token. Nor may a request error repeat an input value.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SANDBOX_CUSTOMER_AUTHENTICATOR } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { newDeviceId, playLicenseUrl, playStream } from '../../src/device/simulated-device.js';
import { startTestApp } from '../helpers/test-app.js';

const CEK = '7f3a9c0e5b2d4f6a8c1e3b5d7f9a0c2e';
/** A content key that lexes as a GraphQL name when written bare in a document. */
const NAME_CEK = 'cafe9c0e5b2d4f6a8c1e3b5d7f9a0c2e';
const AUTH_HEX = SANDBOX_CUSTOMER_AUTHENTICATOR.split(',')[1];

describe('secrets', () => {
  it('never appear in a response or a log line', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await startTestApp(
      {
        EXPRESSPLAY_TIMEOUT_MS: '200',
        EXPRESSPLAY_RETRIES: '0',
        EXPRESSPLAY_BREAKER_THRESHOLD: '2',
        EXPRESSPLAY_BREAKER_RESET_MS: '200',
      },
      { logger: createLogger('debug', sink) },
    );
    const responses: string[] = [];
    const gql = async (query: string, variables: Record<string, unknown>, token: string) => {
      const r = await app.gql(query, variables, { token });
      responses.push(JSON.stringify(r));
      return r;
    };
    try {
      const admin = await app.token('admin', { admin: true });
      const user = await app.token('leaky');
      await gql(
        `mutation($i: UpsertContentInput!) { upsertContent(input: $i) { id keyId } }`,
        {
          i: {
            id: 'secret-film',
            title: 'S',
            keyId: '11'.repeat(16),
            contentKey: CEK,
            iv: '22'.repeat(16),
            rental: { periodSeconds: 60, playSeconds: 30 },
          },
        },
        admin,
      );
      const bound = await gql(`mutation { bindDevice(input: {}) { binding { id } contentUrl licenseUrl } }`, {}, user);
      const { binding, contentUrl } = (bound.data as { bindDevice: { binding: { id: string }; contentUrl: string } })
        .bindDevice;
      const device = newDeviceId();
      await playStream(contentUrl, device);
      await gql(`query($id: ID!) { deviceBinding(id: $id) { status } }`, { id: binding.id }, user);
      const bought = await gql(
        `mutation($b: ID!) { purchase(input: { contentId: "secret-film", bindingId: $b, idempotencyKey: "leaky-0001" }) { licenseUrl entitlement { id content { id keyId } } } }`,
        { b: binding.id },
        user,
      );
      expect(bought.errors).toBeUndefined();
      // The CEK reaches the device inside the license, as it must; nowhere else.
      const license = await playLicenseUrl(
        (bought.data as { purchase: { licenseUrl: string } }).purchase.licenseUrl,
        device,
      );
      expect(license).toMatchObject({ granted: true, license: { contentKey: CEK } });

      app.sandbox!.setFaults({ outage: true, endpoints: ['token'] });
      await gql(
        `mutation($b: ID!) { rent(input: { contentId: "secret-film", bindingId: $b, idempotencyKey: "leaky-0002" }) { licenseUrl } }`,
        { b: binding.id },
        user,
      );
      app.sandbox!.setFaults({ errorRate: 1, endpoints: ['token'] });
      await gql(
        `mutation($b: ID!) { rent(input: { contentId: "secret-film", bindingId: $b, idempotencyKey: "leaky-0003" }) { licenseUrl } }`,
        { b: binding.id },
        user,
      );
      await gql(`{ contents { nodes { id keyId } } }`, {}, user);
      await gql(`{ __type(name: "Content") { fields { name } } }`, {}, user);

      const everything = [...responses, ...lines].join('\n');
      expect(lines.length).toBeGreaterThan(10);
      expect(everything).toContain('UPSTREAM_UNAVAILABLE');
      expect(everything.toLowerCase()).not.toContain(CEK);
      expect(everything).not.toContain(AUTH_HEX);
      expect(everything).not.toContain(user);
      expect(everything).not.toContain(admin);
      expect(everything).not.toMatch(/contentKey/i);
    } finally {
      await app.stop();
    }
  });
});

describe('request errors', () => {
  it('never repeat an input value, in the response or the log, whatever is wrong with the input', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await startTestApp({}, { logger: createLogger('debug', sink) });
    try {
      const admin = await app.token('admin', { admin: true });
      const UPSERT = `mutation($input: UpsertContentInput!) { upsertContent(input: $input) { id } }`;
      const input = {
        id: 'echo-film',
        title: 'Secret title',
        keyId: '11'.repeat(16),
        contentKey: CEK,
        iv: '22'.repeat(16),
        rental: { periodSeconds: 60, playSeconds: 30 },
      };
      const literal = (fields: string) =>
        `mutation { upsertContent(input: { id: "echo-film", title: "t", keyId: "${'11'.repeat(16)}", ${fields} }) { id } }`;
      const rental = 'rental: { periodSeconds: 60, playSeconds: 30 }';
      // [document, variables, code, what the message must still say]
      const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
        [
          UPSERT,
          { input: { ...input, bogus: 1 } },
          'BAD_USER_INPUT',
          /^Variable "\$input" got an invalid value: Field "bogus" is not defined by type "UpsertContentInput"\.$/,
        ],
        [
          UPSERT,
          { input: { ...input, [CEK]: 1 } },
          'BAD_USER_INPUT',
          /^Variable "\$input" got an invalid value: Field given is not defined by type "UpsertContentInput"\.$/,
        ],
        [
          UPSERT,
          { input: { ...input, rental: { periodSeconds: CEK, playSeconds: 1 } } },
          'BAD_USER_INPUT',
          /^Variable "\$input" got an invalid value at "input\.rental\.periodSeconds": Int cannot represent non-integer value\.$/,
        ],
        [
          UPSERT,
          { input: { ...input, title: [CEK] } },
          'BAD_USER_INPUT',
          /at "input\.title": String cannot represent a non string value\.$/,
        ],
        [
          UPSERT,
          { input: { ...input, contentKey: { key: CEK } } },
          'BAD_USER_INPUT',
          /at "input\.contentKey": String cannot represent a non string value\.$/,
        ],
        [
          UPSERT,
          { input: { ...input, rental: CEK } },
          'BAD_USER_INPUT',
          /at "input\.rental": Expected type "RentalTermsInput" to be an object\.$/,
        ],
        [
          UPSERT,
          { input: { ...input, title: null } },
          'BAD_USER_INPUT',
          /at "input\.title": Expected non-nullable type "String!" not to be null\.$/,
        ],
        [
          UPSERT,
          { input: CEK },
          'BAD_USER_INPUT',
          /^Variable "\$input" got an invalid value: Expected type "UpsertContentInput" to be an object\.$/,
        ],
        [
          `mutation($d: Drm) { purchase(input: { contentId: "x", bindingId: "b", idempotencyKey: "echo-key-0001", drm: $d }) { licenseUrl } }`,
          { d: CEK },
          'BAD_USER_INPUT',
          /^Variable "\$d" got an invalid value: The value is not one of enum "Drm"\.$/,
        ],
        [
          literal(`contentKey: "${CEK}", ${rental}, bogus: 1`),
          {},
          'GRAPHQL_VALIDATION_FAILED',
          /^Field "bogus" is not defined by type "UpsertContentInput"\.$/,
        ],
        [
          literal(`contentKey: { key: "${CEK}" }, ${rental}`),
          {},
          'GRAPHQL_VALIDATION_FAILED',
          /^String cannot represent a non string value\.$/,
        ],
        [
          literal(`contentKey: ${NAME_CEK}, ${rental}`),
          {},
          'GRAPHQL_VALIDATION_FAILED',
          /^String cannot represent a non string value\.$/,
        ],
        [
          literal(`contentKey: "${CEK}", rental: "${CEK}"`),
          {},
          'GRAPHQL_VALIDATION_FAILED',
          /^Expected value of type "RentalTermsInput!"; the value given here is not one\.$/,
        ],
        [
          literal(`contentKey: null, ${rental}`),
          {},
          'GRAPHQL_VALIDATION_FAILED',
          /^Expected value of type "String!", found null\.$/,
        ],
        [
          literal(`contentKey "${CEK}", ${rental}`),
          {},
          'GRAPHQL_PARSE_FAILED',
          /^Syntax Error: Expected ":", found String\.$/,
        ],
        [
          literal(`contentKey: "x", rental: { periodSeconds ${NAME_CEK} }`),
          {},
          'GRAPHQL_PARSE_FAILED',
          /^Syntax Error: Expected ":", found Name\.$/,
        ],
      ];
      const responses: string[] = [];
      for (const [query, variables, code, message] of cases) {
        const r = await app.gql(query, variables, { token: admin });
        responses.push(JSON.stringify(r));
        expect(r.errors?.[0]?.extensions?.code, query).toBe(code);
        expect(r.errors![0].message, JSON.stringify(variables)).toMatch(message);
      }
      const everything = [...responses, ...lines].join('\n');
      expect(lines.length).toBeGreaterThanOrEqual(cases.length);
      expect(everything.toLowerCase()).not.toContain(CEK);
      expect(everything.toLowerCase()).not.toContain(NAME_CEK);
      expect(everything).not.toContain('Secret title');
      expect(everything).not.toContain('11'.repeat(16));
    } finally {
      await app.stop();
    }
  });
});
