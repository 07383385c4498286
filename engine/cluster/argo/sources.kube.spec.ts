/**
 * Argo objects read as in production: the test plays Argo CD (an Application whose status reports
 * a sync revision and health) and Argo Rollouts (an AnalysisRun that fails), and salve's reflector
 * sees each change through the read-only identity.
 */
import { CustomObjectsApi, Watch } from '@kubernetes/client-node';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureNamespace } from '../../../test/cluster/kube-objects.ts';
import { kubeCall, kubeConfigFor } from '../../demo/servers/kube-client.ts';
import { silentLogger } from '../../telemetry/logger.ts';
import { type Reflector, startReflector } from '../watch/reflector.ts';
import { argoSource } from './sources.ts';

const kube = inject('kube');
const { admin } = kube.identities;
type Obj = { metadata: { name: string }; status?: Record<string, unknown> };

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

describe('engine/cluster/argo/sources (real CRDs)', () => {
  const running: Reflector[] = [];
  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
  });

  function watch(plural: 'applications' | 'analysisruns', ns: string) {
    const kc = kubeConfigFor(kube, kube.identities.reader);
    const seen: Array<[string, string, Record<string, unknown> | undefined]> = [];
    const r = startReflector<Obj>(
      argoSource<Obj>(kc.makeApiClient(CustomObjectsApi), plural, ns),
      {
        replace: (items) => {
          for (const o of items) seen.push(['LIST', o.metadata.name, o.status]);
        },
        event: (t, o) => seen.push([t, o.metadata.name, o.status]),
      },
      { watch: new Watch(kc), log: silentLogger(), minBackoffMs: 20, maxBackoffMs: 200 },
    );
    running.push(r);
    return { r, seen };
  }

  it('follows an Application from OutOfSync to the merge commit Synced and Healthy', async () => {
    const ns = 'argocd-follow';
    await ensureNamespace(kube, ns);
    const path = `/apis/argoproj.io/v1alpha1/namespaces/${ns}/applications`;
    await kubeCall(kube, admin, 'POST', path, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'checkout-production' },
      spec: {
        project: 'default',
        source: {
          repoURL: 'https://github.com/acme/platform-config.git',
          path: 'apps/checkout/overlays/production',
          targetRevision: 'main',
        },
        destination: { name: 'production', namespace: 'checkout' },
      },
      status: { sync: { status: 'OutOfSync', revision: 'a'.repeat(40) }, health: { status: 'Healthy' } },
    });
    const { r, seen } = watch('applications', ns);
    await r.synced;
    const merge = 'b'.repeat(40);
    await kubeCall(
      kube,
      admin,
      'PATCH',
      `${path}/checkout-production`,
      { status: { sync: { status: 'Synced', revision: merge }, health: { status: 'Progressing' } } },
      'application/merge-patch+json',
    );
    await kubeCall(
      kube,
      admin,
      'PATCH',
      `${path}/checkout-production`,
      { status: { health: { status: 'Healthy' } } },
      'application/merge-patch+json',
    );
    await until(() => seen.length >= 3, 'two status changes');
    expect(
      seen.map(([type, , status]) => [
        type,
        (status?.sync as { status: string; revision: string }).revision.slice(0, 1),
        (status?.health as { status: string }).status,
      ]),
    ).toEqual([
      ['LIST', 'a', 'Healthy'],
      ['MODIFIED', 'b', 'Progressing'],
      ['MODIFIED', 'b', 'Healthy'],
    ]);
  });

  it('sees an AnalysisRun fail as Argo Rollouts records it', async () => {
    const ns = 'rollouts-follow';
    await ensureNamespace(kube, ns);
    const { r, seen } = watch('analysisruns', ns);
    await r.synced;
    const path = `/apis/argoproj.io/v1alpha1/namespaces/${ns}/analysisruns`;
    await kubeCall(kube, admin, 'POST', path, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'checkout-6c8d9f7b5-2' },
      spec: {
        metrics: [
          {
            name: 'error-rate',
            provider: { prometheus: { address: 'http://prometheus:9090', query: 'vector(0.2)' } },
            successCondition: 'result[0] < 0.05',
          },
        ],
      },
    });
    await kubeCall(
      kube,
      admin,
      'PATCH',
      `${path}/checkout-6c8d9f7b5-2`,
      {
        status: {
          phase: 'Failed',
          message: 'Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0)',
        },
      },
      'application/merge-patch+json',
    );
    await until(() => seen.some(([, , s]) => s?.phase === 'Failed'), 'the failed phase');
    expect(seen.map(([type]) => type)).toEqual(['ADDED', 'MODIFIED']);
  });
});
