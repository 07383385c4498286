/**
 * namePrefix / nameSuffix on a real overlay (gke-samples whereami, `nameSuffix: "-backend"`):
 * kustomize applies the overlay's patches before its suffix, so salve's patch names `whereami`;
 * what an adoption adds (the Rollout, its AnalysisTemplate) is written with the overlay's names
 * too, so the suffix applies once and kustomize renames the Rollout's references with it.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { type Bed, openTestbed } from './testbed.ts';

const OVERLAY = 'quickstarts/whereami/k8s-backend-overlay-example';
let bed: Bed;

beforeAll(async () => {
  bed = await openTestbed('gke-samples', [OVERLAY]);
});
afterAll(() => bed?.cleanup());

describe('names under an overlay nameSuffix (gke-samples whereami backend)', () => {
  it('patches whereami, as the overlay names it before its suffix, and verify passes', async () => {
    const got = await bed.plan(OVERLAY, 'Deployment/whereami-backend', 'whereami', 'raise-memory-limit');
    expect(got.violations).toEqual([]);
    const patch = parse(got.file(`${OVERLAY}/salve/raise-memory-limit-deployment-whereami-backend.yaml`));
    expect(patch.metadata).toEqual({ name: 'whereami' });
    expect(got.remediation?.diff.fields.map((f) => `${f.kind} ${f.namespace}/${f.name}`)).toEqual([
      'Deployment default/whereami-backend',
    ]);
  });

  it('adopts Argo Rollouts with a Rollout that is suffixed once and names its Deployment and template as kustomize renames them', async () => {
    const got = await bed.plan(OVERLAY, 'Deployment/whereami-backend', 'whereami', 'adopt-argo-rollouts');
    expect(got.violations).toEqual([]);
    const written = parseAllDocuments(got.file(`${OVERLAY}/salve/exposure-whereami-backend.yaml`)).map((d) => d.toJS());
    const rollout = written.find((o) => o.kind === 'Rollout');
    expect(rollout.metadata).toEqual({ name: 'whereami' });
    expect(rollout.spec.workloadRef.name).toBe('whereami');
    expect(written.find((o) => o.kind === 'AnalysisTemplate').metadata).toEqual({ name: 'whereami-salve-guard-rails' });
    // The overlay renames, so kustomize is told that a Rollout names its Deployment and template.
    expect(got.file(`${OVERLAY}/kustomization.yaml`)).toContain('- salve/rollout-references.yaml');
    expect(got.remediation?.diff.objects.map((o) => `${o.kind} ${o.namespace}/${o.name}`).sort()).toEqual([
      'AnalysisTemplate default/whereami-salve-guard-rails-backend',
      'Rollout default/whereami-backend',
    ]);
    const exposure = got.remediation?.exposure?.objects.find((o) => o.kind === 'Rollout');
    expect(exposure?.name).toBe('whereami-backend');
  });
});
