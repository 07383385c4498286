/**
 * Cold `salve plan`: the CLI as its own process (what a user runs) against one `kustomize build`
 * of the same overlay, also its own process. Same runs give the peak RSS of each.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../engine/pipeline/assets.ts';
import { locateKustomize } from '../engine/tools/index.ts';
import { expectSuccess, type ProcessRun, runProcess } from './process.ts';
import { type Figure, interleave, median, ratio, rounds, seconds } from './stats.ts';
import { createBenchWorld } from './world.ts';

const SALVE = join(PROJECT_ROOT, 'bin', 'salve');

export async function benchCold(): Promise<Figure[]> {
  const bw = await createBenchWorld();
  const kustomize = locateKustomize();
  try {
    const plan = async () => {
      const run = await runProcess(SALVE, ['plan', '--repo', bw.world.work, '--signal', bw.signal, '--json'], {
        env: bw.env,
      });
      expectSuccess(run, 'salve plan');
      if (!run.stdout.includes('"outcome": "publish"')) throw new Error(`salve plan wrote no branch: ${run.stdout}`);
      return run;
    };
    const build = async () =>
      expectSuccess(
        await runProcess(
          kustomize.command,
          [...kustomize.prefix, ...(kustomize.prefix.length ? [] : ['build']), bw.overlay],
          {
            cwd: bw.world.work,
          },
        ),
        'kustomize build',
      );
    // The first plan on a fresh machine also compiles the policy bundle into salve's cache.
    await bw.reset();
    const first = await plan();
    const n = rounds();
    const runs = await interleave<ProcessRun>(n, plan, build, () => bw.reset());
    // The same plan with nothing kept from earlier plans (renders, commit index): every build runs.
    let fresh = 0;
    const planFresh = async () => {
      fresh++;
      const env = {
        ...bw.env,
        SALVE_RENDERS_DIR: join(bw.world.root, `fresh-${fresh}`, 'renders'),
        SALVE_INDEX_DIR: join(bw.world.root, `fresh-${fresh}`, 'index'),
      };
      const run = await runProcess(SALVE, ['plan', '--repo', bw.world.work, '--signal', bw.signal, '--json'], { env });
      expectSuccess(run, 'salve plan (nothing kept)');
      return run;
    };
    const cold = await interleave<ProcessRun>(n, planFresh, build, () => bw.reset());
    const freshTime = median(cold.a.map((r) => r.seconds));
    const freshBuild = median(cold.b.map((r) => r.seconds));
    const planTime = median(runs.a.map((r) => r.seconds));
    const buildTime = median(runs.b.map((r) => r.seconds));
    const planCpu = median(runs.a.map((r) => r.cpuSeconds));
    const buildCpu = median(runs.b.map((r) => r.cpuSeconds));
    const freshCpu = median(cold.a.map((r) => r.cpuSeconds));
    const planRss = median(runs.a.map((r) => r.maxRssKiB));
    const buildRss = median(runs.b.map((r) => r.maxRssKiB));
    const mib = (k: number) => `${(k / 1024).toFixed(0)} MiB`;
    return [
      ratio(
        'cold salve plan / kustomize build (processes)',
        planTime,
        buildTime,
        `median ${seconds(planTime)} vs ${seconds(buildTime)} (CPU ${seconds(planCpu)} vs ${seconds(buildCpu)}), ${n} pairs, renders of the base kept from earlier plans; first plan (empty caches) ${seconds(first.seconds)}; load ${loadavg()[0]?.toFixed(1)}`,
        2,
      ),
      ratio(
        'cold salve plan, nothing kept / kustomize build',
        freshTime,
        freshBuild,
        `median ${seconds(freshTime)} vs ${seconds(freshBuild)} (plan CPU ${seconds(freshCpu)}), ${n} pairs (fresh render and index caches per plan)`,
        2,
      ),
      ratio(
        'peak RSS salve plan / kustomize build',
        planRss,
        buildRss,
        `median ${mib(planRss)} vs ${mib(buildRss)} (/usr/bin/time %M), ${n} pairs`,
        2,
      ),
    ];
  } finally {
    await bw.close();
  }
}
