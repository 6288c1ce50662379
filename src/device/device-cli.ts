/** Entry for `npm run device`: the simulated device on the command line (see device-command.ts for usage). */
import { homedir } from 'node:os';
import { runDeviceCommand } from './device-command.js';

const code = await runDeviceCommand(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  homeDir: homedir(),
});
process.exitCode = code;
