/**
 * Warm path: `salve serve`'s planner, in one long-lived process, planning one incident after
 * another (resolution, both renders, checks, policy, proof, explanation; GitHub calls excluded),
 * each on a fresh clone of the same commit as the server's jobs are (the clone is made untimed,
 * as the server's is GitHub's), against one `kustomize build` of the same overlay run from that
 * process.
 */
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AlertmanagerPayload } from '../engine/app/alertmanager.ts';
import { createPlanner } from '../engine/pipeline/planner.ts';
import { buildOverlay } from '../engine/repo/index.ts';
import { silentLogger } from '../engine/telemetry/logger.ts';
import { type Figure, interleave, median, ratio, rounds, seconds, timed } from './stats.ts';
import { createBenchWorld, DEMO_NOW } from './world.ts';

const run = promisify(execFile);

export async function benchWarm(): Promise<Figure[]> {
  const bw = await createBenchWorld();
  const planner = createPlanner({ signingKey: bw.world.signingKey, log: silentLogger() });
  try {
    const payload = JSON.parse(await readFile(bw.signal, 'utf8')) as AlertmanagerPayload;
    const repo = { owner: 'example-org', repo: 'platform-config' };
    let checkoutDir = bw.world.work;
    let clones = 0;
    const freshClone = async () => {
      if (checkoutDir !== bw.world.work) await rm(checkoutDir, { recursive: true, force: true });
      checkoutDir = join(bw.world.root, `checkout-${++clones}`);
      await run('git', ['clone', '-q', bw.world.work, checkoutDir]);
    };
    const incident = async () => {
      const results = await planner.plan(payload, { repo, checkoutDir, now: DEMO_NOW });
      if (results[0]?.kind !== 'publish') throw new Error(`warm plan gave ${results[0]?.kind ?? 'nothing'}`);
    };
    // The server has planned before: its process caches are warm.
    await incident();
    await incident();
    const n = rounds();
    let side = 0;
    const runs = await interleave(
      n,
      timed(incident),
      timed(() => buildOverlay(bw.world.work, bw.overlay)),
      // Before each incident (every other call), a new clone, as the server makes for every job.
      async () => {
        if (side++ % 2 === 0) await freshClone();
      },
    );
    const warm = median(runs.a);
    const build = median(runs.b);
    return [
      ratio(
        'warm incident (server, in-process) / kustomize build',
        warm,
        build,
        `median ${seconds(warm)} vs ${seconds(build)}, ${n} pairs`,
        1.2,
      ),
    ];
  } finally {
    await bw.close();
  }
}
