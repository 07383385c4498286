/**
 * Playing the controllers a local kube-apiserver does not run, for `salve demo` and the tests (one
 * kit): Argo CD (Application manifests, then their sync and health), the kubelet (pods and their
 * status) and Argo Rollouts (the Rollout, an AnalysisRun and its phase). Written as admin; salve
 * reads all of it read-only.
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
  return createApplication(kube, app);
}

/** Creates an Application (in its namespace, made if missing); an existing one is left as it is. */
export async function createApplication(
  kube: KubeInfo,
  app: { metadata: AppRef } & Record<string, unknown>,
): Promise<AppRef> {
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

type Workload = Pick<Target, 'namespace' | 'kind' | 'name'>;

/** `n` ready pods of the target, through its ReplicaSet, with the status the kubelet writes. */
export async function readyPods(
  kube: KubeInfo,
  target: Workload,
  n: number,
  startedAt: Date,
  opts: { image?: string } = {},
): Promise<void> {
  const hash = '7d9c6b5f4';
  const rollout = target.kind === 'Rollout';
  const image = opts.image ?? `ghcr.io/example-org/${target.name}:demo`;
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
      spec: { containers: [{ name: target.name, image }] },
    });
    const state = { running: { startedAt: startedAt.toISOString() } };
    const status = {
      phase: 'Running',
      containerStatuses: [
        { name: target.name, image, imageID: '', ready: true, restartCount: 0, started: true, state },
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

/**
 * Argo Rollouts' canary of the change: the Rollout (the target itself, or one whose workloadRef
 * runs the target Deployment) and an AnalysisRun it owns, ending in `phase`. Returns the run's name.
 */
export async function analysisRun(
  kube: KubeInfo,
  target: Workload,
  phase: string,
  message: string,
  opts: { run?: string } = {},
): Promise<string> {
  const ns = target.namespace;
  const name = opts.run ?? `${target.name}-demo-canary-1`;
  const strategy = { canary: { steps: [{ setWeight: 20 }] } };
  const rolloutSpec =
    target.kind === 'Deployment'
      ? { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target.name }, strategy }
      : { selector: { matchLabels: { app: target.name } }, strategy };
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
