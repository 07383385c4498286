/**
 * A replica holding delayed jobs, for the kill -9 tests: opens the embedded store (`journal <dir>`)
 * or the Redis store (`redis <url> <prefix>`), starts running jobs under `followups` and prints
 * `started`. With `schedule <key>` it puts one job an hour ahead and prints `scheduled`; each run
 * prints `running <key>` and never ends (the test kills the process mid-run).
 */
import { silentLogger } from '../../telemetry/logger.ts';
import { openEmbeddedStore } from '../embedded.ts';
import type { StateStore } from '../types.ts';

const [kind, where, prefix, action, key] = process.argv.slice(2) as string[];
const log = silentLogger();
const store: StateStore =
  kind === 'journal'
    ? await openEmbeddedStore({ dir: where as string, log })
    : await (await import('../redis.ts')).openRedisStore({
        url: where as string,
        log,
        prefix: prefix as string,
        lockMs: 1000,
      });
const jobs = await store.delayed<{ pull: number }>('followups');
jobs.start(async (_data, k) => {
  process.stdout.write(`running ${k}\n`);
  await new Promise(() => setInterval(() => {}, 1 << 30));
});
process.stdout.write('started\n');
if (action === 'schedule') {
  await jobs.put(key as string, { pull: 41 }, new Date(Date.now() + 3_600_000));
  process.stdout.write('scheduled\n');
}
// Alive until killed.
setInterval(() => {}, 1 << 30);
