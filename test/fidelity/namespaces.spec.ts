/**
 * Objects that carry their own `metadata.namespace`, with no `namespace:` transform in the overlay.
 * eks-workshop's hybrid-nodes module: the nginx Deployment says `namespace: nginx-remote`, so a
 * patch must say it too (kustomize: `no matches for Id Deployment.v1.apps/nginx.[noNs]`), and so
 * must the Rollout an adoption adds. flagger's Gateway API overlay: the flagger Deployment is in
 * flagger-system (its base's namespace), so the Rollout and AnalysisTemplate go there too.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { type Bed, openTestbed } from './testbed.ts';

const beds: Bed[] = [];
afterAll(() => Promise.all(beds.map((b) => b.cleanup())));

describe('objects with their own namespace', () => {
  it('names the namespace in the patch (eks-workshop hybrid nodes, nginx-remote)', async () => {
    const overlay = 'manifests/modules/networking/eks-hybrid-nodes/kustomize';
    const bed = await openTestbed('eks-workshop', [overlay]);
    beds.push(bed);
    const got = await bed.plan(overlay, 'Deployment/nginx', 'nginx', 'raise-cpu-limit');
    expect(got.violations).toEqual([]);
    const patch = parse(got.file(`${overlay}/salve/raise-cpu-limit-deployment-nginx.yaml`));
    expect(patch.metadata).toEqual({ name: 'nginx', namespace: 'nginx-remote' });
    expect(got.remediation?.diff.fields.map((f) => `${f.namespace}/${f.name} ${f.path} ${f.after}`)).toEqual([
      'nginx-remote/nginx /spec/template/spec/containers[name=nginx]/resources/limits/cpu 300m',
    ]);
    const adopted = await bed.plan(overlay, 'Deployment/nginx', 'nginx', 'adopt-argo-rollouts');
    expect(adopted.violations).toEqual([]);
    const rollout = parseAllDocuments(adopted.file(`${overlay}/salve/exposure-nginx.yaml`))
      .map((d) => d.toJS())
      .find((o) => o.kind === 'Rollout');
    expect(rollout.metadata).toEqual({ name: 'nginx', namespace: 'nginx-remote' });
  });

  it("adopts Argo Rollouts with the Rollout and AnalysisTemplate in the workload's namespace (flagger Gateway API)", async () => {
    const overlay = 'kustomize/gatewayapi';
    const bed = await openTestbed('flagger', [overlay]);
    beds.push(bed);
    const got = await bed.plan(overlay, 'Deployment/flagger', 'flagger', 'adopt-argo-rollouts');
    expect(got.violations).toEqual([]);
    expect(got.remediation?.diff.objects.map((o) => `${o.op} ${o.kind} ${o.namespace}/${o.name}`).sort()).toEqual([
      'add AnalysisTemplate flagger-system/flagger-salve-guard-rails',
      'add Rollout flagger-system/flagger',
    ]);
  });
});
