/**
 * The Apollo Client example (examples/apollo-client) against the real app and sandbox, sending document text
 * and, with TRUSTED_DOCUMENTS=only, manifest ids. InMemoryCache normalizes by `__typename` and `id`: a manifest
 * document without `__typename` comes back from the cache as empty objects.
 */
import { CombinedGraphQLErrors, gql, type ApolloClient } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asEntitlementClient, createApolloEntitlementClient } from '../../examples/apollo-client/src/client.js';
import { runFlow } from '../../examples/web-client/src/flow.js';
import {
  ContentsDocument,
  DeviceBindingsDocument,
  EntitlementsDocument,
} from '../../examples/web-client/src/gql/graphql.js';
import { drmDeviceId, newDeviceId, playLicenseUrl, playStream } from '../../src/device/simulated-device.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const modes = [
  { mode: 'normal', persisted: false, env: {} },
  { mode: 'persisted', persisted: true, env: { TRUSTED_DOCUMENTS: 'only' } },
] as const;

describe.each(modes)('Apollo Client, $mode mode', ({ persisted, env }) => {
  let app: TestApp;
  let apollo: ApolloClient;

  beforeAll(async () => {
    app = await startTestApp(env);
    const token = await app.token(`apollo-${persisted ? 'persisted' : 'normal'}`);
    apollo = createApolloEntitlementClient({ url: app.url, token, persisted });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('reads the catalog into the normalized cache', async () => {
    const { data } = await apollo.query({ query: ContentsDocument });
    const contents = data!.contents.edges.map((e) => e.node);
    expect(contents.length).toBeGreaterThanOrEqual(3);
    for (const content of contents) {
      expect(content).toMatchObject({ __typename: 'Content', id: expect.any(String), title: expect.any(String) });
      expect(content.rental).toMatchObject({ periodSeconds: expect.any(Number), playSeconds: expect.any(Number) });
    }
    const first = contents[0];
    expect(cacheEntries(apollo)[`Content:${first.id}`]).toMatchObject({ title: first.title, keyId: first.keyId });
    // The second read is answered by the cache, with the same objects.
    expect((await apollo.query({ query: ContentsDocument })).data).toEqual(data);
  });

  it('runs the flow, and the cache follows the binding', async () => {
    const { data } = await apollo.query({ query: ContentsDocument });
    const title = data!.contents.edges.map((e) => e.node).find((c) => c.fairPlayReady)!;
    const device = newDeviceId();
    const play = async (url: string) => {
      expect((await playStream(url, device)).granted).toBe(true);
    };
    const result = await runFlow(asEntitlementClient(apollo), { play }, title.id, { pollIntervalMs: 20 });
    expect(result.binding).toMatchObject({
      __typename: 'DeviceBinding',
      status: 'BOUND',
      deviceId: drmDeviceId(device, 'fp'),
    });
    expect((await playLicenseUrl(result.purchase.licenseUrl, device)).granted).toBe(true);
    expect((await playLicenseUrl(result.rental.licenseUrl, newDeviceId())).granted).toBe(false);

    // The PENDING binding from bindDevice and the BOUND one from the poll are one cache entry.
    expect(cacheEntries(apollo)[`DeviceBinding:${result.binding.id}`]).toMatchObject({
      status: 'BOUND',
      deviceId: drmDeviceId(device, 'fp'),
    });
    const bindings = await apollo.query({ query: DeviceBindingsDocument });
    expect(bindings.data!.deviceBindings.edges.map((e) => e.node)).toEqual([result.binding]);
    const library = await apollo.query({ query: EntitlementsDocument });
    expect(library.data!.entitlements.edges.map(({ node: e }) => [e.kind, e.content.title]).sort()).toEqual([
      ['PURCHASE', title.title],
      ['RENTAL', title.title],
    ]);
  });

  it("gives the API's code for a refused request", async () => {
    const anonymous = createApolloEntitlementClient({ url: app.url, persisted });
    const failure = anonymous.query({ query: EntitlementsDocument });
    await expect(failure).rejects.toSatisfy((e: unknown) => CombinedGraphQLErrors.is(e));
    await expect(failure).rejects.toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });
});

describe('Apollo Client against TRUSTED_DOCUMENTS=only', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TRUSTED_DOCUMENTS: 'only' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('reads the refusal of an ad-hoc operation as a GraphQL error, not as "status code 400"', async () => {
    const apollo = createApolloEntitlementClient({ url: app.url, token: await app.token('apollo-adhoc') });
    const failure = apollo.query({
      query: gql`
        query AdHoc {
          contents {
            id
          }
        }
      `,
    });
    await expect(failure).rejects.toSatisfy((e: unknown) => CombinedGraphQLErrors.is(e));
    await expect(failure).rejects.toMatchObject({ errors: [{ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
  });

  it('refuses, in persisted mode, an operation missing from the manifest before sending it', async () => {
    const apollo = createApolloEntitlementClient({
      url: app.url,
      token: await app.token('apollo-adhoc'),
      persisted: true,
    });
    await expect(
      apollo.query({
        query: gql`
          query AdHoc {
            contents {
              id
            }
          }
        `,
      }),
    ).rejects.toThrow(/not in the persisted-documents manifest/);
  });
});

function cacheEntries(apollo: ApolloClient): Record<string, unknown> {
  return apollo.cache.extract() as Record<string, unknown>;
}
