/**
 * A blue/green release as the follow-up reads it, against a real kube-apiserver with the real
 * Argo Rollouts CRDs (status pruned to their schema), the test playing Argo Rollouts by writing
 * the Rollout's status and its AnalysisRuns as the controller does; salve reads them read-only.
 */
import { CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { ensureNamespace } from '../../test/cluster/kube-objects.ts';
import { kubeCall, kubeConfigFor } from '../demo/servers/kube-client.ts';
import type { Target } from '../model/index.ts';
import { readCanaries } from './canary.ts';
import { decide } from './score.ts';
import type { CanaryView, Observation } from './types.ts';

const kube = inject('kube');
const ARGO = '/apis/argoproj.io/v1alpha1';
const MERGE_PATCH = 'application/merge-patch+json';
const MERGED = new Date(Date.now() - 60_000);

/** A merged fix whose pods, alerts and SLOs are all fine: only the release decides the outcome. */
function observation(canaries: CanaryView[]): Observation {
  return {
    sync: {
      application: 'argocd/web',
      settled: true,
      revision: 'a'.repeat(40),
      syncStatus: 'Synced',
      health: 'Healthy',
    },
    pods: { total: 2, ready: 2, restartsSinceSync: 0, oomsSinceSync: 0, failing: 0 },
    alerts: { firingAtMerge: ['KubePodCrashLooping'], stillFiring: [], newFiring: [] },
    slos: [],
    canaries,
    gaps: [],
  };
}

async function blueGreen(ns: string, name: string): Promise<void> {
  await ensureNamespace(kube, ns);
  await kubeCall(kube, kube.identities.admin, 'POST', `${ARGO}/namespaces/${ns}/rollouts`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'nginx:1.27' }] } },
      strategy: {
        blueGreen: {
          activeService: name,
          previewService: `${name}-preview`,
          autoPromotionEnabled: false,
          prePromotionAnalysis: { templates: [{ templateName: 'smoke' }] },
          postPromotionAnalysis: { templates: [{ templateName: 'latency' }] },
        },
      },
    },
  });
}

async function rolloutStatus(ns: string, name: string, status: Record<string, unknown>): Promise<void> {
  const path = `${ARGO}/namespaces/${ns}/rollouts/${name}/status`;
  await kubeCall(kube, kube.identities.admin, 'PATCH', path, { status }, MERGE_PATCH);
}

/** An AnalysisRun the Rollout owns, labelled as Argo Rollouts labels a blue/green run, ending in `phase`. */
async function run(ns: string, rollout: string, type: string, phase: string, message: string): Promise<void> {
  const name = `${rollout}-6d8f-${type.toLowerCase()}`;
  await kubeCall(kube, kube.identities.admin, 'POST', `${ARGO}/namespaces/${ns}/analysisruns`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name,
      labels: { 'rollout-type': type, 'rollouts-pod-template-hash': '6d8f' },
      ownerReferences: [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: rollout, uid: `u-${rollout}`, controller: true },
      ],
    },
    spec: {
      metrics: [{ name: 'm', provider: { prometheus: { address: 'http://prometheus:9090', query: 'vector(1)' } } }],
    },
  });
  // The AnalysisRun CRD has no status subresource: the controller patches the object itself.
  const path = `${ARGO}/namespaces/${ns}/analysisruns/${name}`;
  await kubeCall(kube, kube.identities.admin, 'PATCH', path, { status: { phase, message } }, MERGE_PATCH);
}

async function read(ns: string, name: string): Promise<CanaryView[]> {
  const custom = kubeConfigFor(kube, kube.identities.reader).makeApiClient(CustomObjectsApi);
  const target: Target = { cluster: 'production', namespace: ns, kind: 'Rollout', name };
  const gaps: string[] = [];
  const views = await readCanaries(custom, target, MERGED, gaps);
  // salve-reader (deploy/rbac) may read flagger.app canaries; this cluster has no Flagger CRD (404,
  // which is no gap): any gap here is a permission salve's own ClusterRole lacks.
  expect(gaps).toEqual([]);
  return views;
}

describe('engine/followup/canary: a blue/green release (real Rollout CRD)', () => {
  it('paused for promotion after a passing pre-promotion analysis: not done, so inconclusive', async () => {
    await blueGreen('bg-paused', 'web');
    await run('bg-paused', 'web', 'PrePromotion', 'Successful', '');
    await rolloutStatus('bg-paused', 'web', {
      phase: 'Paused',
      message: 'BlueGreenPause',
      controllerPause: true,
      pauseConditions: [{ reason: 'BlueGreenPause', startTime: new Date().toISOString() }],
    });
    const views = await read('bg-paused', 'web');
    expect(views).toContainEqual({
      kind: 'Rollout',
      name: 'web',
      phase: 'Paused',
      failed: false,
      message: 'paused for promotion: the new ReplicaSet is the preview, not yet active; BlueGreenPause',
    });
    expect(views).toContainEqual({
      kind: 'AnalysisRun',
      name: 'web-6d8f-prepromotion',
      phase: 'Successful',
      failed: false,
      message: 'pre-promotion analysis',
    });
    const outcome = decide(observation(views), new Date());
    expect(outcome.kind).toBe('inconclusive');
    expect(outcome.reasons).toContain('Rollout web is still Paused');
  });

  it('a failed pre-promotion analysis aborts the release: harmful, naming the analysis', async () => {
    await blueGreen('bg-pre', 'web');
    await run(
      'bg-pre',
      'web',
      'PrePromotion',
      'Failed',
      'Metric "smoke" assessed Failed due to failed (1) > failureLimit (0)',
    );
    await rolloutStatus('bg-pre', 'web', {
      phase: 'Degraded',
      abort: true,
      message: 'RolloutAborted: Rollout aborted update to revision 2',
    });
    const views = await read('bg-pre', 'web');
    expect(views.filter((v) => v.failed).map((v) => `${v.kind} ${v.phase}`)).toEqual([
      'Rollout Degraded (aborted)',
      'AnalysisRun Failed',
    ]);
    const outcome = decide(observation(views), new Date());
    expect(outcome.kind).toBe('harmful');
    expect(outcome.reasons).toContain(
      'AnalysisRun web-6d8f-prepromotion Failed: pre-promotion analysis: Metric "smoke" assessed Failed due to failed (1) > failureLimit (0)',
    );
  });

  it('a failed post-promotion analysis after promotion is harmful; a promoted release with passing analyses is not held', async () => {
    await blueGreen('bg-post', 'web');
    await run('bg-post', 'web', 'PrePromotion', 'Successful', '');
    await run('bg-post', 'web', 'PostPromotion', 'Failed', 'Metric "latency" assessed Failed');
    await rolloutStatus('bg-post', 'web', { phase: 'Healthy' });
    const failed = decide(observation(await read('bg-post', 'web')), new Date());
    expect(failed.kind).toBe('harmful');
    expect(failed.reasons).toContain(
      'AnalysisRun web-6d8f-postpromotion Failed: post-promotion analysis: Metric "latency" assessed Failed',
    );

    await blueGreen('bg-done', 'web');
    await run('bg-done', 'web', 'PrePromotion', 'Successful', '');
    await run('bg-done', 'web', 'PostPromotion', 'Successful', '');
    await rolloutStatus('bg-done', 'web', { phase: 'Healthy' });
    expect(decide(observation(await read('bg-done', 'web')), new Date()).kind).toBe('effective');
  });
});
