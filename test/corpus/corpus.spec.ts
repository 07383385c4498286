/**
 * The corpus harness on a CI-sized slice: one or two overlays of every test bed, chosen for the
 * kustomize shapes they carry, every workload × container × action of each. Fails on any violation
 * of any invariant; skips must say why. `npm run corpus` runs every overlay of every test bed.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TESTBEDS } from '../../engine/corpus/paths.ts';
import { formatReport, violationsOf } from '../../engine/corpus/report.ts';
import { type CorpusResult, runCorpus } from '../../engine/corpus/run.ts';
import { readTestbeds } from '../../engine/corpus/testbeds.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';

/** Per test bed, the overlays of the slice and what each brings. */
const SLICE: Record<string, string[]> = {
  // No namespace anywhere: the Application's destination namespace is the objects' identity.
  'aks-store': ['kustomize/overlays/azd/store-front'],
  // Reads ../rollout-transform.yaml: needs LoadRestrictionsNone, an explained skip.
  'argo-rollouts': ['docs/features/kustomize/example'],
  // Own metadata.namespace and an init container; a patch in the overlay that already sets the limit.
  'eks-workshop': [
    'manifests/modules/networking/eks-hybrid-nodes/kustomize',
    'manifests/modules/fundamentals/fargate/sizing',
  ],
  // legacy bases:, an images: pin (rollback from a replayed tag bump), an HPA.
  flagger: ['kustomize/base/flagger', 'kustomize/podinfo'],
  // nameSuffix, licence headers, no final newline.
  'gke-samples': ['quickstarts/whereami/k8s-backend-overlay-example'],
  // A sidecar under a base namePrefix, patchesStrategicMerge, $patch: delete, namespace: override.
  kubeflow: ['applications/tensorboard/tensorboard-controller/upstream/overlays/kubeflow'],
  // Roots inferred (no roots block), an HPA.
  podinfo: ['kustomize'],
};

describe('corpus (CI slice)', () => {
  it('holds every invariant on a slice of every test bed', { timeout: 1_200_000 }, async () => {
    const testbeds = await readTestbeds(DEFAULT_TESTBEDS);
    expect(testbeds.map((t) => t.name).sort()).toEqual(Object.keys(SLICE).sort());
    const result: CorpusResult = await runCorpus({
      testbeds,
      overlays: SLICE,
      concurrency: Math.min(2, availableParallelism()),
      log: silentLogger(),
    });
    const report = formatReport(result);
    expect(violationsOf(result), report).toEqual([]);
    // Every action was exercised, and most cases of the slice ran all six invariants.
    expect(new Set(result.cases.map((c) => c.action)), report).toEqual(
      new Set([
        'raise-memory-limit',
        'raise-cpu-limit',
        'raise-hpa-max-replicas',
        'rollback-image',
        'adopt-argo-rollouts',
      ]),
    );
    expect(result.cases.filter((c) => c.checks.length === 6).length, report).toBeGreaterThanOrEqual(15);
    for (const s of result.skips) expect(s.reason.trim(), report).not.toBe('');
    expect(result.skips.some((s) => s.testbed === 'argo-rollouts' && s.reason.includes('LoadRestrictionsNone'))).toBe(
      true,
    );
  });
});
