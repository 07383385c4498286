/**
 * The shared test kube-apiserver: real RBAC for the three identities, the Argo CRDs installed,
 * statuses written by the tests (as the controllers would) and read back by a read-only client.
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { kubeCall, kubeConfigFor, kubeRequest } from '../../engine/demo/servers/kube-client.ts';

const kube = inject('kube');
const { admin, reader, powerful } = kube.identities;

async function canI(id: typeof admin, verb: string, group: string, resource: string, namespace = 'default') {
  const review = await kubeCall<{ status: { allowed: boolean } }>(
    kube,
    id,
    'POST',
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb, group, resource, namespace } },
    },
  );
  return review.status.allowed;
}

describe('test kube-apiserver', () => {
  it('enforces RBAC: the reader reads pods and Argo objects and writes nothing; powerful may patch Deployments', async () => {
    expect(await canI(reader, 'list', '', 'pods')).toBe(true);
    expect(await canI(reader, 'watch', 'argoproj.io', 'applications')).toBe(true);
    expect(await canI(reader, 'create', '', 'pods')).toBe(false);
    expect(await canI(reader, 'patch', 'apps', 'deployments')).toBe(false);
    expect(await canI(powerful, 'patch', 'apps', 'deployments')).toBe(true);
    const denied = await kubeRequest(kube, reader, 'POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'nope' },
    });
    expect(denied.status).toBe(403);
    const unknown = await kubeRequest(kube, { user: 'nobody', token: 'not-a-token' }, 'GET', '/api/v1/pods');
    expect(unknown.status).toBe(401);
  });

  it('keeps a pod status written through the status subresource, read back with client-node as the reader', async () => {
    const ns = 'harness-pods';
    await kubeRequest(kube, admin, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    await kubeCall(kube, admin, 'POST', `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-0' },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
    });
    await kubeCall(
      kube,
      admin,
      'PATCH',
      `/api/v1/namespaces/${ns}/pods/web-0/status`,
      {
        status: {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'web',
              image: 'nginx:1.27',
              imageID: '',
              ready: false,
              restartCount: 3,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
            },
          ],
        },
      },
      'application/merge-patch+json',
    );
    const core = kubeConfigFor(kube, reader).makeApiClient(CoreV1Api);
    const pod = await core.readNamespacedPod({ name: 'web-0', namespace: ns });
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(pod.status?.containerStatuses?.[0]?.restartCount).toBe(3);
  });

  it('serves the real Argo CD Application and Argo Rollouts CRDs, statuses included', async () => {
    const ns = 'harness-argo';
    await kubeRequest(kube, admin, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    await kubeCall(kube, admin, 'POST', `/apis/argoproj.io/v1alpha1/namespaces/${ns}/applications`, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'shop' },
      spec: {
        project: 'default',
        source: { repoURL: 'https://github.com/example/config.git', path: 'overlays/prod', targetRevision: 'main' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' },
      },
      // The Application CRD has no status subresource: Argo CD writes status with the object.
      status: { sync: { status: 'Synced', revision: 'a'.repeat(40) }, health: { status: 'Healthy' } },
    });
    await kubeCall(kube, admin, 'POST', `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'cart' },
      spec: {
        selector: { matchLabels: { app: 'cart' } },
        template: { metadata: { labels: { app: 'cart' } }, spec: { containers: [{ name: 'cart', image: 'cart:1' }] } },
        strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
      },
    });
    await kubeCall(
      kube,
      admin,
      'PATCH',
      `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/cart/status`,
      { status: { phase: 'Degraded', message: 'RolloutAborted: metric "error-rate" assessed Failed' } },
      'application/merge-patch+json',
    );
    const custom = kubeConfigFor(kube, reader).makeApiClient(CustomObjectsApi);
    const app = (await custom.getNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'applications',
      name: 'shop',
    })) as {
      status: { sync: { status: string }; health: { status: string } };
    };
    expect(app.status.sync.status).toBe('Synced');
    expect(app.status.health.status).toBe('Healthy');
    const rollout = (await custom.getNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'rollouts',
      name: 'cart',
    })) as {
      status: { phase: string };
    };
    expect(rollout.status.phase).toBe('Degraded');
    const runs = await kubeRequest(kube, reader, 'GET', `/apis/argoproj.io/v1alpha1/namespaces/${ns}/analysisruns`);
    expect(runs.status).toBe(200);
  });
});
