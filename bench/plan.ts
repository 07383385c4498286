/** `salve plan` (in-process, publishing included) against one `kustomize build` of the same overlay. */
import { join } from 'node:path';
import { createDemoWorld, DEMO_NOW, EXAMPLE_SIGNALS } from '../engine/demo/setup.ts';
import { runPlan } from '../engine/pipeline/run.ts';
import { buildOverlay } from '../engine/repo/index.ts';
import { silentLogger } from '../engine/telemetry/logger.ts';
import { type Figure, medianOf, ratio, seconds } from './stats.ts';

const RUNS = 7;

export async function benchPlan(): Promise<Figure[]> {
  const world = await createDemoWorld({ remote: false });
  try {
    const signal = join(EXAMPLE_SIGNALS, 'oomkilled-checkout-production.json');
    const plan = () =>
      runPlan({
        repoDir: world.work,
        signalFiles: [signal],
        signingKey: world.signingKey,
        pgp: world.pgp,
        now: DEMO_NOW,
        log: silentLogger(),
      });
    await plan(); // warm: the policy bundle is cached on disk after the first build
    const planTime = await medianOf(RUNS, plan);
    const buildTime = await medianOf(RUNS, () => buildOverlay(world.work, 'apps/checkout/overlays/production'));
    return [
      ratio(
        'plan / kustomize build (example repo)',
        planTime,
        buildTime,
        `median salve plan ${seconds(planTime)} vs kustomize build ${seconds(buildTime)}, ${RUNS} runs`,
      ),
    ];
  } finally {
    await world.close();
  }
}
