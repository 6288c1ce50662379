/**
 * The data the scenarios need, made through the public API the way a client makes it: users with tokens, BOUND
 * bindings (bindDevice, play the dummy stream on a simulated device, poll deviceBinding until BOUND) and PENDING
 * bindings (bindDevice only; nobody plays them, so every look-up asks ExpressPlay's getrecord), and extra titles
 * (upsertContent as an admin) so that every purchase can be a new (user, title) pair: the insert path.
 */
import { randomBytes } from 'node:crypto';
import { signDevToken } from '../../src/auth/dev-token.js';
import { demoCatalog } from '../../src/catalog/demo-catalog.js';
import { newDeviceId, playStream } from '../../src/device/simulated-device.js';

export interface BenchUser {
  readonly userId: string;
  readonly token: string;
  readonly bindingId: string;
}

export interface Fixtures {
  readonly bound: readonly BenchUser[];
  readonly pending: readonly BenchUser[];
  readonly contentIds: readonly string[];
}

interface GraphqlBody<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export async function gql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphqlBody<T>;
  if (body.errors?.length || !body.data) {
    throw new Error(`GraphQL setup call failed (HTTP ${response.status}): ${JSON.stringify(body.errors ?? body)}`);
  }
  return body.data;
}

const BIND = /* GraphQL */ `
  mutation Bind($input: BindDeviceInput!) {
    bindDevice(input: $input) {
      binding {
        id
        status
      }
      contentUrl
    }
  }
`;
const UPSERT = /* GraphQL */ `
  mutation Upsert($input: UpsertContentInput!) {
    upsertContent(input: $input) {
      id
    }
  }
`;
const STATUS = /* GraphQL */ `
  query Status($id: ID!) {
    deviceBinding(id: $id) {
      status
    }
  }
`;

async function bind(url: string, token: string): Promise<{ id: string; contentUrl: string }> {
  const { bindDevice } = await gql<{ bindDevice: { binding: { id: string }; contentUrl: string } }>(
    url,
    BIND,
    { input: { name: 'bench' } },
    token,
  );
  // The service builds the stream URL from PUBLIC_URL, http://localhost:<port> by default; the benchmark talks
  // to 127.0.0.1 only, so the origin is swapped for the one the service actually listens on.
  const contentUrl = new URL(bindDevice.contentUrl);
  const origin = new URL(url);
  contentUrl.protocol = origin.protocol;
  contentUrl.host = origin.host;
  return { id: bindDevice.binding.id, contentUrl: contentUrl.href };
}

async function bindAndPlay(url: string, token: string): Promise<string> {
  const { id, contentUrl } = await bind(url, token);
  const played = await playStream(contentUrl, newDeviceId());
  if (!played.granted) throw new Error(`The simulated device was refused a license: ${played.errorMessage}`);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { deviceBinding } = await gql<{ deviceBinding: { status: string } }>(url, STATUS, { id }, token);
    if (deviceBinding.status === 'BOUND') return id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Binding ${id} did not become BOUND`);
}

/** Runs `work` over `items`, `width` at a time. */
async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width)
    results.push(...(await Promise.all(items.slice(i, i + width).map(work))));
  return results;
}

export async function createFixtures(
  url: string,
  jwtSecret: string,
  counts: { bound: number; pending: number; titles: number },
): Promise<Fixtures> {
  const run = Date.now().toString(36);
  const user = async (userId: string, make: (token: string) => Promise<string>): Promise<BenchUser> => {
    const token = await signDevToken(jwtSecret, userId);
    return { userId, token, bindingId: await make(token) };
  };
  const bound = await inBatches(
    Array.from({ length: counts.bound }, (_, i) => `bench-${run}-bound-${i}`),
    5,
    (id) => user(id, (token) => bindAndPlay(url, token)),
  );
  const pending = await inBatches(
    Array.from({ length: counts.pending }, (_, i) => `bench-${run}-pending-${i}`),
    5,
    (id) => user(id, async (token) => (await bind(url, token)).id),
  );
  const admin = await signDevToken(jwtSecret, `bench-${run}-admin`, { admin: true });
  const hex = () => randomBytes(16).toString('hex');
  const titles = await inBatches(
    Array.from({ length: counts.titles }, (_, i) => `bench-${run}-title-${i}`),
    10,
    async (id) => {
      const input = {
        id,
        title: `Bench title ${id}`,
        keyId: hex(),
        contentKey: hex(),
        iv: hex(),
        rental: { periodSeconds: 172_800, playSeconds: 86_400 },
      };
      await gql(url, UPSERT, { input }, admin);
      return id;
    },
  );
  // The target seeds the demo catalog into its empty store at start; only the ids are used.
  return { bound, pending, contentIds: [...demoCatalog().map((c) => c.id), ...titles] };
}
