/**
 * A pod with a sidecar (kubeflow's tensorboard controller: `manager`, then `kube-rbac-proxy`,
 * under a base namePrefix). A strategic-merge patch of one container makes kustomize 5 move it to
 * the front (kubernetes-sigs/kustomize#5904), which the positional rendered diff reports; salve
 * writes a JSON6902 patch instead, addressed by position and guarded by a test of the name.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Bed, openTestbed } from './testbed.ts';

const OVERLAY = 'applications/tensorboard/tensorboard-controller/upstream/overlays/kubeflow';
const WORKLOAD = 'Deployment/tensorboard-controller-deployment';
let bed: Bed;

beforeAll(async () => {
  bed = await openTestbed('kubeflow', [OVERLAY]);
});
afterAll(() => bed?.cleanup());

describe('sidecars (kubeflow tensorboard controller)', () => {
  it('raises the sidecar with a JSON6902 patch that keeps the container order', async () => {
    const got = await bed.plan(OVERLAY, WORKLOAD, 'kube-rbac-proxy', 'raise-memory-limit');
    expect(got.violations).toEqual([]);
    const ops = parse(
      got.file(`${OVERLAY}/salve/raise-memory-limit-deployment-tensorboard-controller-deployment.yaml`),
    );
    expect(ops).toEqual([
      { op: 'test', path: '/spec/template/spec/containers/1/name', value: 'kube-rbac-proxy' },
      { op: 'replace', path: '/spec/template/spec/containers/1/resources/limits/memory', value: '192Mi' },
    ]);
    // The base's prefix came before this overlay: its patches see the prefixed name.
    expect(got.file(`${OVERLAY}/kustomization.yaml`)).toContain(
      'target: {group: apps, version: v1, kind: Deployment, name: tensorboard-controller-deployment, namespace: tensorboard-controller-system}',
    );
    expect(got.remediation?.diff.fields.map((f) => f.path)).toEqual([
      '/spec/template/spec/containers[name=kube-rbac-proxy]/resources/limits/memory',
    ]);
  });

  it('raises the main container the same way', async () => {
    const got = await bed.plan(OVERLAY, WORKLOAD, 'manager', 'raise-cpu-limit');
    expect(got.violations).toEqual([]);
    const ops = parse(got.file(`${OVERLAY}/salve/raise-cpu-limit-deployment-tensorboard-controller-deployment.yaml`));
    expect(ops[0]).toEqual({ op: 'test', path: '/spec/template/spec/containers/0/name', value: 'manager' });
  });
});
