/**
 * A child process for data-directory tests: opens the embedded store on DATA_DIR (key: CONTENT_KEY_ENCRYPTION_KEY,
 * hex), prints {"ready":true,"pid":…}, then stores one content after another, each acknowledged (awaited) before the
 * next, until its stdin closes; then closes the store and prints {"acknowledged":<count>}.
 */
import { createStore } from '../../../src/store/create-store.js';

const store = await createStore({
  dataDir: process.env.DATA_DIR!,
  contentKeyEncryptionKey: Buffer.from(process.env.CONTENT_KEY_ENCRYPTION_KEY!, 'hex'),
});
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);

let stopping = false;
process.stdin.resume();
process.stdin.once('end', () => {
  stopping = true;
});
let acknowledged = 0;
while (!stopping) {
  await store.upsertContent(
    {
      id: `${process.pid}-${acknowledged}`,
      title: 'written',
      keyId: '0'.repeat(32),
      contentKey: '1'.repeat(32),
      iv: null,
      rentalPeriodSeconds: 60,
      rentalPlaySeconds: 60,
    },
    new Date(),
  );
  acknowledged++;
  // Paced (under 50 writes a second), so that the run is about the second process rather than about a write loop hogging
  // the machine: the test needs acknowledged writes during the second start, not many of them.
  await new Promise((resolve) => setTimeout(resolve, 20));
}
await store.close();
process.stdout.write(`${JSON.stringify({ acknowledged })}\n`);
