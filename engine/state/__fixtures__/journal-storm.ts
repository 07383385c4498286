/**
 * Like journal-writer, with many enqueues in flight at once (as many concurrent intake requests):
 * `concurrency` single-alert enqueues at a time, each printing its number as soon as it resolved
 * (acknowledged), whatever the others do. The test kills it with SIGKILL and checks that every
 * acknowledged alert survived.
 */
import { silentLogger } from '../../telemetry/logger.ts';
import { openEmbeddedStore } from '../embedded.ts';
import { deploymentPod, podAlert } from './alerts.ts';

const dir = process.argv[2] as string;
const concurrency = Number(process.argv[3] ?? 32);
const store = await openEmbeddedStore({
  dir,
  log: silentLogger(),
  compactBytes: 64 * 1024,
  bounds: { maxOwners: 1_000_000, maxAlertsPerOwner: 1_000_000 },
});
let next = 0;
async function sender(): Promise<never> {
  for (;;) {
    const n = next++;
    await store.inbox.enqueue('acme/platform-config', [podAlert(deploymentPod(`storm${n % 50}`, n))]);
    process.stdout.write(`${n}\n`);
  }
}
await Promise.all(Array.from({ length: concurrency }, sender));
