/**
 * Warm path: `salve serve`'s planner, in one long-lived process, planning one incident after
 * another on the same checkout (resolution, both renders, checks, policy, proof, explanation;
 * GitHub calls excluded), against one `kustomize build` of the same overlay run from that process.
 */
import { readFile } from 'node:fs/promises';
import type { AlertmanagerPayload } from '../engine/app/alertmanager.ts';
import { createPlanner } from '../engine/pipeline/planner.ts';
import { buildOverlay } from '../engine/repo/index.ts';
import { silentLogger } from '../engine/telemetry/logger.ts';
import { type Figure, interleave, median, ratio, rounds, seconds, timed } from './stats.ts';
import { createBenchWorld, DEMO_NOW } from './world.ts';

export async function benchWarm(): Promise<Figure[]> {
  const bw = await createBenchWorld();
  try {
    const payload = JSON.parse(await readFile(bw.signal, 'utf8')) as AlertmanagerPayload;
    const planner = createPlanner({ signingKey: bw.world.signingKey, log: silentLogger() });
    const repo = { owner: 'example-org', repo: 'platform-config' };
    const incident = async () => {
      const results = await planner.plan(payload, { repo, checkoutDir: bw.world.work, now: DEMO_NOW });
      if (results[0]?.kind !== 'publish') throw new Error(`warm plan gave ${results[0]?.kind ?? 'nothing'}`);
    };
    // The server has planned before: its process caches are warm.
    await incident();
    await incident();
    const n = rounds();
    const runs = await interleave(
      n,
      timed(incident),
      timed(() => buildOverlay(bw.world.work, bw.overlay)),
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
