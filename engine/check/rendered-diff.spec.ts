import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../model/remediation.ts';
import { parseManifests } from './manifests.ts';
import { renderedDiff } from './rendered-diff.ts';

const BEFORE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
  namespace: production
  labels: {app.kubernetes.io/name: backend}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/api:1.0
          args: [--port=80, --level=info]
          resources: {limits: {memory: 256Mi}}
        - name: sidecar
          image: envoy:1.30
          resources: {}
---
apiVersion: v1
kind: Service
metadata: {name: backend, namespace: production}
spec: {ports: [{port: 80}]}
`;

function edit(yaml: string, fn: (objects: K8sObject[]) => void): K8sObject[] {
  const objects = parseManifests(yaml);
  fn(objects);
  return objects;
}

function deployment(objects: K8sObject[]): { spec: { replicas: number; template: { spec: { containers: any[] } } } } {
  return objects[0] as never;
}

describe('check/rendered-diff', () => {
  it('is empty for identical renders', () => {
    expect(renderedDiff(parseManifests(BEFORE), parseManifests(BEFORE))).toEqual({ fields: [], objects: [] });
  });

  it('addresses named list items by name and others by index, and reports a move', () => {
    const after = edit(BEFORE, (objects) => {
      const containers = deployment(objects).spec.template.spec.containers;
      containers[0].resources.limits.memory = '384Mi';
      containers[0].args[1] = '--level=debug';
      containers.reverse();
    });
    expect(renderedDiff(parseManifests(BEFORE), after).fields).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'production',
        name: 'backend',
        path: '/spec/template/spec/containers[name=app]/args/1',
        before: '--level=info',
        after: '--level=debug',
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'production',
        name: 'backend',
        path: '/spec/template/spec/containers[name=app]/resources/limits/memory',
        before: '256Mi',
        after: '384Mi',
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'production',
        name: 'backend',
        path: '/spec/template/spec/containers[order]',
        before: ['app', 'sidecar'],
        after: ['sidecar', 'app'],
      },
    ]);
  });

  it('is positional: an item that moves is a change, one appended or dropped at the end is not a move', () => {
    const env = (names: string[]) => [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'app', env: names.map((name) => ({ name, value: 'x' })) }] },
      },
    ];
    const paths = (a: string[], b: string[]) => renderedDiff(env(a), env(b)).fields.map((f) => f.path);
    const order = '/spec/containers[name=app]/env[order]';
    expect(paths(['A', 'B'], ['B', 'A'])).toEqual([order]);
    expect(paths(['A', 'B'], ['A', 'B', 'C'])).not.toContain(order);
    expect(paths(['A', 'B'], ['C', 'A', 'B'])).toContain(order);
    expect(paths(['A', 'B', 'C'], ['A', 'B'])).not.toContain(order);
    expect(paths([], ['A'])).not.toContain(order);
  });

  it('reports fields filled under an empty mapping as leaves, absent as null, and escapes keys', () => {
    const after = edit(BEFORE, (objects) => {
      const d = deployment(objects);
      d.spec.template.spec.containers[1].resources = { limits: { cpu: '500m' } };
      delete (d.spec as { replicas?: number }).replicas;
      (objects[0] as K8sObject).metadata.labels = { 'app.kubernetes.io/name': 'api' };
    });
    const fields = renderedDiff(parseManifests(BEFORE), after).fields.map(({ path, before, after }) => ({
      path,
      before,
      after,
    }));
    expect(fields).toEqual([
      { path: '/metadata/labels/app.kubernetes.io~1name', before: 'backend', after: 'api' },
      { path: '/spec/replicas', before: 2, after: null },
      { path: '/spec/template/spec/containers[name=sidecar]/resources/limits/cpu', before: null, after: '500m' },
    ]);
  });

  it('reports added and removed objects, matching by group not version', () => {
    const after = edit(BEFORE, (objects) => {
      (objects[0] as K8sObject).apiVersion = 'apps/v1beta2';
      objects.splice(1, 1, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'backend', namespace: 'production' },
      });
    });
    const diff = renderedDiff(parseManifests(BEFORE), after);
    expect(diff.fields.map((f) => [f.path, f.before, f.after])).toEqual([['/apiVersion', 'apps/v1', 'apps/v1beta2']]);
    expect(diff.objects).toEqual([
      { op: 'add', apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'production', name: 'backend' },
      { op: 'remove', apiVersion: 'v1', kind: 'Service', namespace: 'production', name: 'backend' },
    ]);
  });

  it('orders list indexes numerically', () => {
    const list = (n: number) => Array.from({ length: 12 }, (_, i) => `v${i}-${n}`);
    const a = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { list: list(0) } }];
    const b = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { list: list(1) } }];
    const paths = renderedDiff(a, b).fields.map((f) => f.path);
    expect(paths.slice(0, 3)).toEqual(['/data/list/0', '/data/list/1', '/data/list/2']);
    expect(paths.at(-1)).toBe('/data/list/11');
    expect(renderedDiff(a, b).fields[0]).not.toHaveProperty('namespace');
  });
});

describe('check/manifests', () => {
  it('skips empty documents and names the position of a bad one', () => {
    expect(parseManifests('---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n')).toHaveLength(1);
    expect(() => parseManifests('apiVersion: v1\nkind: X\nmetadata: {}\n', 'overlay apps/x')).toThrow(
      /overlay apps\/x:1:1: X in document 1 has no metadata.name/,
    );
    expect(() => parseManifests('a: [\n', 'o')).toThrow(/^o:\d+:\d+: invalid YAML/);
  });
});
