/**
 * deploy/ as a cluster would take it: real `kustomize build` of the base and of the example
 * overlay (with the Redis and ServiceMonitor components), every object then applied with
 * server-side apply as a dry run (`dryRun=All`, `fieldValidation=Strict`) against the test
 * kube-apiserver, which validates it against the real Kubernetes OpenAPI schemas (and the Argo CD
 * Application CRD) without storing it. The ServiceMonitor's CRD is not in the test cluster: it is
 * validated offline against the Prometheus Operator schema of a pinned npm package.
 */

import { join } from 'node:path';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type KubeInfo, kubeRequest } from '../../engine/demo/servers/kube-client.ts';
import { readManifests } from '../../engine/demo/servers/kube-install.ts';
import { REPO_ROOT } from '../../engine/demo/servers/tools.ts';
import { locateKustomize, runTool } from '../../engine/tools/index.ts';

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
};

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

async function build(dir: string): Promise<Obj[]> {
  const { stdout } = await runTool(locateKustomize(), ['build', join(REPO_ROOT, dir)]);
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

function pathOf(o: Obj): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const root = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const lower = o.kind.toLowerCase();
  const plural = lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
  const ns = CLUSTER_SCOPED.has(o.kind) ? '' : `/namespaces/${o.metadata.namespace ?? 'default'}`;
  return `${root}${ns}/${plural}/${encodeURIComponent(o.metadata.name)}`;
}

/** Server-side apply, dry run, strict field validation: the status and the server's message. */
async function dryRunApply(info: KubeInfo, o: Obj): Promise<{ status: number; message: string }> {
  const query = '?dryRun=All&fieldManager=salve-deploy-test&fieldValidation=Strict&force=true';
  const res = await kubeRequest(
    info,
    info.identities.admin,
    'PATCH',
    `${pathOf(o)}${query}`,
    o,
    'application/apply-patch+yaml',
  );
  return { status: res.status, message: res.status >= 300 ? res.body.slice(0, 400) : '' };
}

async function validate(info: KubeInfo, objects: Obj[]): Promise<string[]> {
  const problems: string[] = [];
  for (const o of objects) {
    if (o.kind === 'ServiceMonitor') {
      try {
        new ServiceMonitor(o as never).validate();
      } catch (err) {
        problems.push(`ServiceMonitor ${o.metadata.name}: ${(err as Error).message}`);
      }
      continue;
    }
    const { status, message } = await dryRunApply(info, o);
    if (status !== 200 && status !== 201) problems.push(`${o.kind} ${o.metadata.name}: HTTP ${status} ${message}`);
  }
  return problems;
}

const byKind = (objects: Obj[], kind: string, name = 'salve') =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as Obj;

let info: KubeInfo;
let base: Obj[];
let example: Obj[];

beforeAll(async () => {
  info = inject('kube');
  // The Argo CD Application example lives in argocd; an empty namespace for its dry run.
  await kubeRequest(info, info.identities.admin, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'argocd' },
  });
  base = await build('deploy/base');
  example = await build('deploy/overlays/example');
});

describe('deploy/: kustomize build, validated by the kube-apiserver', () => {
  it('the base builds and every object passes a strict server-side dry run', async () => {
    expect(base.map((o) => o.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'Namespace',
      'NetworkPolicy',
      'PersistentVolumeClaim',
      'Service',
      'ServiceAccount',
    ]);
    expect(await validate(info, base)).toEqual([]);
  });

  it('the example overlay (Redis, ServiceMonitor) builds and validates', async () => {
    expect(example.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      expect.arrayContaining([
        'StatefulSet/salve-redis',
        'Service/salve-redis',
        'NetworkPolicy/salve-redis',
        'NetworkPolicy/salve-to-redis',
        'ServiceMonitor/salve',
      ]),
    );
    // On Redis, salve keeps no volume of its own: no claim, and the replicas roll.
    expect(example.some((o) => o.kind === 'PersistentVolumeClaim')).toBe(false);
    expect(example.filter((o) => !CLUSTER_SCOPED.has(o.kind)).every((o) => o.metadata.namespace === 'salve')).toBe(
      true,
    );
    expect(await validate(info, example)).toEqual([]);
  });

  it('the Argo CD Application example validates against the Application CRD', async () => {
    const [app] = readManifests('deploy/argocd/application.yaml') as Obj[];
    expect((app?.spec?.source as { path?: string }).path).toBe('deploy/overlays/example');
    expect(await validate(info, [app as Obj])).toEqual([]);
  });

  it('the check fails on what the schemas refuse (an unknown field, a bad ServiceMonitor scheme)', async () => {
    const deployment = structuredClone(byKind(base, 'Deployment'));
    (deployment.spec as { replica?: number }).replica = 2;
    const monitor = structuredClone(byKind(example, 'ServiceMonitor'));
    (monitor.spec as { endpoints: Array<{ scheme: string }> }).endpoints[0] = { scheme: 'gopher' };
    const problems = await validate(info, [deployment, monitor]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/Deployment salve: HTTP \d+ .*\.spec\.replica: field not declared in schema/);
    expect(problems[1]).toMatch(/ServiceMonitor salve: .*scheme/);
  });

  it('salve runs non-root on a read-only root filesystem, with probes, resources and the read-only RBAC', () => {
    for (const objects of [base, example]) {
      const pod = (byKind(objects, 'Deployment').spec as { template: { spec: Record<string, unknown> } }).template.spec;
      const container = (pod.containers as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
      expect(pod.serviceAccountName).toBe('salve');
      expect((pod.securityContext as { runAsNonRoot: boolean }).runAsNonRoot).toBe(true);
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/readyz' } });
      expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/healthz' } });
      expect(container.resources).toMatchObject({ requests: { cpu: expect.any(String), memory: expect.any(String) } });
      // The RBAC is deploy/rbac's, not a copy: the same ClusterRole rules.
      const role = byKind(objects, 'ClusterRole', 'salve-reader') as Obj & { rules: unknown };
      const [own] = readManifests('deploy/rbac/base/cluster-role.yaml') as Array<Obj & { rules: unknown }>;
      expect(role.rules).toEqual(own?.rules);
    }
  });
});
