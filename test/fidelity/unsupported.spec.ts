/**
 * kustomize features salve does not use get an error that names the feature, the overlay and the
 * flag Argo CD would need: argo-rollouts' overlays read ../rollout-transform.yaml outside their
 * directory, which kustomize builds only with --load-restrictor LoadRestrictionsNone.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TESTBEDS } from '../../engine/corpus/paths.ts';
import { BASE_TIME, CORPUS_NOW, caseContext, corpusKeys } from '../../engine/corpus/run.ts';
import { incidentFor } from '../../engine/corpus/signals.ts';
import { readTestbed } from '../../engine/corpus/testbeds.ts';
import { createWorkspace, type Workspace } from '../../engine/corpus/workspace.ts';
import { ResolveError } from '../../engine/model/errors.ts';
import { planIncident } from '../../engine/pipeline/plan.ts';
import { buildOverlay } from '../../engine/repo/build-overlay.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';

let ws: Workspace | null = null;
afterAll(() => ws?.cleanup());

describe('unsupported kustomize features', () => {
  it('names LoadRestrictionsNone for an overlay that reads a file outside its directory (argo-rollouts)', async () => {
    const overlay = 'docs/features/kustomize/example';
    ws = await createWorkspace(await readTestbed(join(DEFAULT_TESTBEDS, 'argo-rollouts'), 'argo-rollouts'), BASE_TIME, [
      overlay,
    ]);
    const cc = await caseContext(ws, await corpusKeys(), silentLogger());
    const incident = incidentFor(
      {
        overlay,
        workload: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: 'my-rollouts-demo',
          namespace: 'default',
        },
        container: { name: 'rollouts-demo', image: 'argoproj/rollouts-demo:blue', init: false, limits: {} },
        action: 'raise-memory-limit',
      },
      ws.roots[0]?.cluster ?? '',
      'argoproj/rollouts-demo:blue',
      CORPUS_NOW,
    );
    const err = await planIncident(incident, cc.ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResolveError);
    const message = (err as Error).message;
    expect(message).toContain(`${overlay} (Application`);
    expect(message).toContain('is not in or below');
    expect(message).toContain('--load-restrictor LoadRestrictionsNone');
  });

  it('says why on the build failure itself, as `salve validate` shows it, not only when resolving a target', async () => {
    const dir = join(DEFAULT_TESTBEDS, 'argo-rollouts');
    const err = await buildOverlay(dir, 'docs/features/kustomize/example').catch((e: unknown) => e);
    const message = (err as Error).message;
    expect(message).toContain('is not in or below');
    expect(message).toContain('--load-restrictor LoadRestrictionsNone (Argo CD: kustomize.buildOptions)');
    expect(message.split('--load-restrictor LoadRestrictionsNone (Argo CD').length).toBe(2);
  });
});
