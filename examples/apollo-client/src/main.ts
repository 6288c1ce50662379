/**
 * CLI demo of the whole flow through Apollo Client against a running service, with the sandbox's simulated
 * device as the player:
 *
 *   npx tsx examples/apollo-client/src/main.ts --url http://localhost:4000 --token "$(npm run -s token -- alice)"
 *     [--content big-buck-bunny] [--persisted]
 *
 * The simulated device speaks the sandbox's license protocol only: point the service at the embedded sandbox.
 */
import { parseArgs } from 'node:util';
import { CombinedGraphQLErrors } from '@apollo/client';
import { newDeviceId, playLicenseUrl, playStream } from '../../../src/device/simulated-device.js';
import { runFlow, type PlaybackDevice } from '../../web-client/src/flow.js';
import { ContentsDocument, DeviceBindingsDocument } from '../../web-client/src/gql/graphql.js';
import { asEntitlementClient, createApolloEntitlementClient } from './client.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:4000' },
    token: { type: 'string' },
    content: { type: 'string' },
    persisted: { type: 'boolean', default: false },
  },
});
if (!values.token) {
  process.stderr.write(
    'usage: npx tsx examples/apollo-client/src/main.ts --url <service> --token <jwt> [--content <id>] [--persisted]\n',
  );
  process.exit(2);
}

const apollo = createApolloEntitlementClient({ url: values.url, token: values.token, persisted: values.persisted });
const deviceId = newDeviceId();
const device: PlaybackDevice = {
  async play(contentUrl) {
    const outcome = await playStream(contentUrl, deviceId);
    if (!outcome.granted) throw new Error(`The device could not play the dummy stream: ${outcome.errorMessage}`);
  },
};

try {
  const { data } = await apollo.query({ query: ContentsDocument, variables: { first: 1 } });
  const contentId = values.content ?? data?.contents.edges[0]?.node.id;
  if (contentId === undefined) throw new Error('The catalog is empty: add a title with upsertContent first');
  process.stdout.write(`device ${deviceId}, title ${contentId}\n`);

  const result = await runFlow(asEntitlementClient(apollo), device, contentId, { deviceName: 'apollo-client demo' });
  process.stdout.write(
    `binding ${result.binding.id} is ${result.binding.status} (device ${result.binding.deviceId})\n`,
  );
  for (const [kind, { licenseUrl }] of [
    ['purchase', result.purchase],
    ['rental', result.rental],
  ] as const) {
    const mine = await playLicenseUrl(licenseUrl, deviceId);
    process.stdout.write(`${kind}: this device ${mine.granted ? 'granted' : `refused (${mine.errorMessage})`}\n`);
  }
  // Served from the normalized cache where it can be: the binding the flow polled is already there.
  const { data: devices } = await apollo.query({ query: DeviceBindingsDocument, fetchPolicy: 'network-only' });
  process.stdout.write(
    `${devices?.deviceBindings.edges.length ?? 0} device(s) on the first page; cache keys: ${Object.keys(apollo.cache.extract() as object).length}\n`,
  );
} catch (error) {
  if (CombinedGraphQLErrors.is(error)) {
    const code = error.errors[0]?.extensions?.code;
    process.stderr.write(`${typeof code === 'string' ? code : 'ERROR'}: ${error.errors[0]?.message}\n`);
    process.exit(1);
  }
  throw error;
}
