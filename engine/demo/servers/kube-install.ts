/**
 * What the local cluster holds before salve reads it: the Argo CD and Argo Rollouts CRDs (real,
 * unmodified upstream files, shipped under schemas/), salve's own RBAC from deploy/rbac, and the
 * binding that gives the reader identity its read-only role.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type KubeIdentity, type KubeInfo, kubeCall, kubeRequest } from './kube-client.ts';
import { REPO_ROOT } from './tools.ts';
import { waitFor } from './wait.ts';

export type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<
  string,
  unknown
>;

export const CRD_FILES = [
  'schemas/argo-cd/application-crd.yaml',
  'schemas/argo-rollouts/rollout-crd.yaml',
  'schemas/argo-rollouts/analysis-template-crd.yaml',
  'schemas/argo-rollouts/analysis-run-crd.yaml',
];

export const RBAC_FILES = [
  'deploy/rbac/base/namespace.yaml',
  'deploy/rbac/base/service-account.yaml',
  'deploy/rbac/base/cluster-role.yaml',
  'deploy/rbac/cluster-role-binding.yaml',
];

const PATHS: Record<string, (o: Obj) => string> = {
  CustomResourceDefinition: () => '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
  Namespace: () => '/api/v1/namespaces',
  ServiceAccount: (o) => `/api/v1/namespaces/${o.metadata.namespace}/serviceaccounts`,
  ClusterRole: () => '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  ClusterRoleBinding: () => '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  Role: (o) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${o.metadata.namespace}/roles`,
  RoleBinding: (o) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${o.metadata.namespace}/rolebindings`,
};

export function readManifests(file: string): Obj[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

/** Creates an object as admin; an object that already exists is left as it is. */
export async function createObject(info: KubeInfo, obj: Obj): Promise<void> {
  const path = PATHS[obj.kind];
  if (!path) throw new Error(`kube-install: no path for kind ${obj.kind}`);
  const res = await kubeRequest(info, info.identities.admin, 'POST', path(obj), obj);
  if (res.status !== 201 && res.status !== 409) {
    throw new Error(
      `kube-install: creating ${obj.kind} ${obj.metadata.name}: HTTP ${res.status} ${res.body.slice(0, 300)}`,
    );
  }
}

export function binding(name: string, role: string, user: string): Obj {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
  };
}

/** Whether `id` may `verb` the resource in namespace default, as the apiserver's authorizer sees it now. */
export async function canI(info: KubeInfo, id: KubeIdentity, verb: string, group: string, resource: string) {
  const review = await kubeCall<{ status: { allowed: boolean } }>(
    info,
    id,
    'POST',
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb, group, resource, namespace: 'default' } },
    },
  );
  return review.status.allowed;
}

/** Waits until `id` may `verb` the resource: RBAC is read by the authorizer from its own cache. */
export async function awaitRbac(
  info: KubeInfo,
  id: KubeIdentity,
  verb: string,
  group: string,
  resource: string,
): Promise<void> {
  await waitFor(async () => ((await canI(info, id, verb, group, resource)) ? true : undefined), {
    what: `RBAC for ${id.user} to ${verb} ${resource}`,
    attempts: 1200,
  });
}

export async function installCluster(info: KubeInfo): Promise<void> {
  const crds = CRD_FILES.flatMap(readManifests);
  await Promise.all(crds.map((crd) => createObject(info, crd)));
  for (const obj of RBAC_FILES.flatMap(readManifests)) await createObject(info, obj);
  await createObject(info, binding('salve-reader-local-user', 'salve-reader', info.identities.reader.user));
  for (const crd of crds) {
    await waitFor(
      async () => {
        const got = await kubeCall<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
          info,
          info.identities.admin,
          'GET',
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
        );
        return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
      },
      { what: `CRD ${crd.metadata.name} established`, attempts: 1200 },
    );
  }
  // A new resource's watch cache answers 429 (storage initializing) until it has listed from etcd.
  for (const crd of crds) {
    const spec = crd.spec as {
      group: string;
      versions: Array<{ name: string; storage?: boolean }>;
      names: { plural: string };
    };
    const version = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]?.name;
    const path = `/apis/${spec.group}/${version}/${spec.names.plural}?limit=1`;
    await waitFor(
      async () => ((await kubeRequest(info, info.identities.admin, 'GET', path)).status === 200 ? true : undefined),
      { what: `listing ${spec.names.plural}`, attempts: 1200 },
    );
  }
  await awaitRbac(info, info.identities.reader, 'list', '', 'pods');
}
