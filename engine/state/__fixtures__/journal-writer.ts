/**
 * A process that enqueues alerts into an embedded store as fast as it can and prints the id of
 * each alert once `enqueue` resolved (acknowledged). The test kills it with SIGKILL at a random
 * moment and checks that every acknowledged alert survived.
 */
import { silentLogger } from '../../telemetry/logger.ts';
import { openEmbeddedStore } from '../embedded.ts';
import { deploymentPod, podAlert } from './alerts.ts';

const dir = process.argv[2] as string;
const store = await openEmbeddedStore({
  dir,
  log: silentLogger(),
  compactBytes: 64 * 1024,
  bounds: { maxOwners: 1_000_000, maxAlertsPerOwner: 1_000_000 },
});
for (let i = 0; ; i++) {
  const batch = [
    podAlert(deploymentPod('checkout', i)),
    podAlert(`cart${i}-0`, { startsAt: new Date(Date.UTC(2025, 2, 4, 0, 0, i)).toISOString() }),
  ];
  await Promise.all([store.inbox.enqueue('acme/platform-config', batch), store.deliveries.claim([`id:${i}`])]);
  process.stdout.write(`${i}\n`);
}
