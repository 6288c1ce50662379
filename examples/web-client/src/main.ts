/**
 * CLI demo of the whole flow against a running service, with the sandbox's simulated device as the player:
 *
 *   npx tsx examples/web-client/src/main.ts --url http://localhost:4000 --token "$(npm run -s token -- alice)"
 *     [--content big-buck-bunny] [--persisted]
 *
 * The simulated device speaks the sandbox's license protocol only: point the service at the embedded sandbox.
 */
import { parseArgs } from 'node:util';
import { newDeviceId, playLicenseUrl, playStream } from '../../../src/device/simulated-device.js';
import { createEntitlementClient, EntitlementApiError } from './client.js';
import { runFlow, type PlaybackDevice } from './flow.js';
import { ContentsDocument } from './gql/graphql.js';

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
    'usage: npx tsx examples/web-client/src/main.ts --url <service> --token <jwt> [--content <id>] [--persisted]\n',
  );
  process.exit(2);
}

const client = createEntitlementClient({ url: values.url, token: values.token, persisted: values.persisted });
const deviceId = newDeviceId();
const device: PlaybackDevice = {
  async play(contentUrl) {
    const outcome = await playStream(contentUrl, deviceId);
    if (!outcome.granted) throw new Error(`The device could not play the dummy stream: ${outcome.errorMessage}`);
  },
};

try {
  const { contents } = await client.request(ContentsDocument, { first: 1 });
  const contentId = values.content ?? contents.edges[0]?.node.id;
  if (contentId === undefined) throw new Error('The catalog is empty: add a title with upsertContent first');
  process.stdout.write(`device ${deviceId}, title ${contentId}\n`);

  const result = await runFlow(client, device, contentId, { deviceName: 'web-client demo' });
  process.stdout.write(
    `binding ${result.binding.id} is ${result.binding.status} (device ${result.binding.deviceId})\n`,
  );
  for (const [kind, { licenseUrl }] of [
    ['purchase', result.purchase],
    ['rental', result.rental],
  ] as const) {
    const mine = await playLicenseUrl(licenseUrl, deviceId);
    const other = await playLicenseUrl(licenseUrl, newDeviceId());
    process.stdout.write(
      `${kind}: this device ${mine.granted ? 'granted' : `refused (${mine.errorMessage})`}, ` +
        `another device ${other.granted ? 'granted (unexpected!)' : 'refused'}\n`,
    );
  }
} catch (error) {
  if (error instanceof EntitlementApiError) {
    process.stderr.write(`${error.code}: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
