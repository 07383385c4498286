/**
 * What the demo writes to its local kube-apiserver, playing the controllers it does not run: Argo CD
 * (the config repo's own Application manifests, then their status), the kubelet (pods and their
 * status) and Argo Rollouts (an AnalysisRun and its phase). salve reads all of it read-only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Target } from '../model/index.ts';
import { type KubeInfo, kubeCall, kubeRequest } from './servers/kube-client.ts';

const ARGO = '/apis/argoproj.io/v1alpha1';
const MERGE_PATCH = 'application/merge-patch+json';

async function create(kube: KubeInfo, path: string, obj: Record<string, unknown>): Promise<void> {
  const res = await kubeRequest(kube, kube.identities.admin, 'POST', path, obj);
  if (res.status !== 201 && res.status !== 409) throw new Error(`POST ${path}: HTTP ${res.status}`);
}

export async function ensureNamespace(kube: KubeInfo, name: string): Promise<void> {
  await create(kube, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

export interface AppRef {
  name: string;
  namespace: string;
}

/**
 * Installs the config repo's Application manifest as Argo CD would find it, in its own namespace or
 * in `namespace` (a cluster shared with other Applications of the same overlay).
 */
export async function installApplication(
  kube: KubeInfo,
  repoDir: string,
  file: string,
  namespace?: string,
): Promise<AppRef> {
  const app = parse(await readFile(join(repoDir, file), 'utf8')) as { metadata: AppRef };
  if (namespace) app.metadata.namespace = namespace;
  await ensureNamespace(kube, app.metadata.namespace);
  await create(kube, `${ARGO}/namespaces/${app.metadata.namespace}/applications`, app);
  return { name: app.metadata.name, namespace: app.metadata.namespace };
}

/** Argo CD's report: the revision it synced and the health it sees. */
export async function reportSync(kube: KubeInfo, app: AppRef, revision: string, health: string): Promise<void> {
  await kubeCall(
    kube,
    kube.identities.admin,
    'PATCH',
    `${ARGO}/namespaces/${app.namespace}/applications/${app.name}`,
    { status: { sync: { status: 'Synced', revision }, health: { status: health } } },
    MERGE_PATCH,
  );
}

/** `n` ready pods of the target, through its ReplicaSet, with the status the kubelet writes. */
export async function readyPods(kube: KubeInfo, target: Target, n: number, startedAt: Date): Promise<void> {
  const hash = '7d9c6b5f4';
  const rollout = target.kind === 'Rollout';
  for (let i = 0; i < n; i++) {
    const name = `${target.name}-${hash}-demo${i}`;
    const ns = target.namespace;
    await create(kube, `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        labels: { app: target.name, [rollout ? 'rollouts-pod-template-hash' : 'pod-template-hash']: hash },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: `${target.name}-${hash}`,
            uid: `rs-${name}`,
            controller: true,
          },
        ],
      },
      spec: { containers: [{ name: target.name, image: `ghcr.io/example-org/${target.name}:demo` }] },
    });
    const state = { running: { startedAt: startedAt.toISOString() } };
    const status = {
      phase: 'Running',
      containerStatuses: [
        { name: target.name, image: '', imageID: '', ready: true, restartCount: 0, started: true, state },
      ],
    };
    await kubeCall(
      kube,
      kube.identities.admin,
      'PATCH',
      `/api/v1/namespaces/${ns}/pods/${name}/status`,
      { status },
      MERGE_PATCH,
    );
  }
}

/** Argo Rollouts' canary of the change: an AnalysisRun owned by the Rollout, ending in `phase`. */
export async function analysisRun(kube: KubeInfo, target: Target, phase: string, message: string): Promise<string> {
  const ns = target.namespace;
  const name = `${target.name}-demo-canary-1`;
  const rolloutSpec = {
    selector: { matchLabels: { app: target.name } },
    strategy: { canary: { steps: [{ setWeight: 20 }] } },
  };
  await create(kube, `${ARGO}/namespaces/${ns}/rollouts`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: target.name },
    spec: rolloutSpec,
  });
  await create(kube, `${ARGO}/namespaces/${ns}/analysisruns`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name,
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: target.name,
          uid: `u-${target.name}`,
          controller: true,
        },
      ],
    },
    spec: {
      metrics: [
        { name: 'error-rate', provider: { prometheus: { address: 'http://prometheus:9090', query: 'vector(1)' } } },
      ],
    },
  });
  await kubeCall(
    kube,
    kube.identities.admin,
    'PATCH',
    `${ARGO}/namespaces/${ns}/analysisruns/${name}`,
    { status: { phase, message } },
    MERGE_PATCH,
  );
  return name;
}
