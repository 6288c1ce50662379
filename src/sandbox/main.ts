/** Entry for `npm run sandbox`: the ExpressPlay sandbox on its own, configured from the environment. */
import { sandboxOptionsFromEnv, SandboxEnvError } from './sandbox-env.js';
import { startSandbox, type SandboxOptions } from './server.js';

let options: SandboxOptions;
try {
  options = sandboxOptionsFromEnv(process.env);
} catch (error) {
  if (!(error instanceof SandboxEnvError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const sandbox = await startSandbox(options);
const { latencyMs, errorRate, outage } = options.faults ?? {};
console.log(`ExpressPlay sandbox listening at ${sandbox.url}`);
console.log(`  token:     ${sandbox.url}/hms/{fp,wv,pr}/token`);
console.log(`  getrecord: ${sandbox.url}/cmiapi/getrecord/`);
console.log(`  customerAuthenticator: ${options.customerAuthenticators.join(' ')}`);
if (latencyMs || errorRate || outage) {
  console.log(`  faults: latency ${latencyMs ?? 0} ms, error rate ${errorRate ?? 0}, outage ${outage ? 'on' : 'off'}`);
}

const stop = (signal: NodeJS.Signals) => {
  console.log(`${signal}: closing the sandbox`);
  sandbox.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
