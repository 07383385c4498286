/** rollouts.status() against a real kube-apiserver, the test playing Argo Rollouts by writing status. */
import { CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { ensureNamespace } from '../../test/cluster/kube-objects.ts';
import { kubeCall, kubeConfigFor } from '../demo/servers/kube-client.ts';
import { silentLogger } from '../telemetry/logger.ts';
import { clusterRolloutLiveness } from './liveness.ts';

const kube = inject('kube');

describe('engine/followup/liveness (real Rollout CRD)', () => {
  it('is pending until the adoption Rollout runs ready pods, then live; unknown without access', async () => {
    const ns = 'liveness';
    await ensureNamespace(kube, ns);
    const custom = kubeConfigFor(kube, kube.identities.reader).makeApiClient(CustomObjectsApi);
    const live = clusterRolloutLiveness((c) => (c === 'production' ? custom : null), silentLogger());
    const ref = { cluster: 'production', namespace: ns, name: 'web' };
    expect(await live.status(ref)).toBe('pending');
    const path = `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`;
    await kubeCall(kube, kube.identities.admin, 'POST', path, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web' },
      spec: {
        workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', scaleDown: 'progressively' },
        strategy: { canary: { steps: [{ setWeight: 20 }] } },
      },
    });
    expect(await live.status(ref)).toBe('pending');
    const status = (s: Record<string, unknown>) =>
      kubeCall(
        kube,
        kube.identities.admin,
        'PATCH',
        `${path}/web/status`,
        { status: s },
        'application/merge-patch+json',
      );
    await status({ phase: 'Progressing', observedGeneration: '1', readyReplicas: 0 });
    expect(await live.status(ref)).toBe('pending');
    await status({ phase: 'Healthy', observedGeneration: '1', readyReplicas: 3, availableReplicas: 3 });
    expect(await live.status(ref)).toBe('live');
    expect(await live.status({ ...ref, cluster: 'staging' })).toBe('unknown');
  });
});
