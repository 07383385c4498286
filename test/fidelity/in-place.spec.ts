/**
 * Layering instead of editing: where the overlay already sets a value, salve edits it there, as a
 * human would, instead of adding a second patch that leaves the first as a dead, misleading line.
 * A line comment on a rewritten value described the old value: it goes, and the note says so.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { BUMP_TIME } from '../../engine/corpus/run.ts';
import { type Bed, openTestbed } from './testbed.ts';

const beds: Bed[] = [];
afterAll(() => Promise.all(beds.map((b) => b.cleanup())));

async function bed(name: string, overlays: string[]): Promise<Bed> {
  const b = await openTestbed(name, overlays);
  beds.push(b);
  return b;
}

describe('edits the value where the overlay sets it', () => {
  const SIZING = 'manifests/modules/fundamentals/fargate/sizing';
  const SCALING = 'manifests/modules/fundamentals/fargate/scaling';

  it("rewrites the limit in the overlay's own patch file (eks-workshop fargate sizing: 2.5G)", async () => {
    const b = await bed('eks-workshop', [SIZING, SCALING]);
    const got = await b.plan(SIZING, 'Deployment/checkout', 'checkout', 'raise-memory-limit');
    expect(got.violations).toEqual([]);
    const patch = got.remediation?.files.find((f) => f.path === `${SIZING}/deployment.yaml`);
    expect(patch?.after).toBe(
      patch?.before?.replace('limits:\n              memory: 2.5G', 'limits:\n              memory: 3577Mi'),
    );
    expect(got.remediation?.files.map((f) => f.path)).not.toContain(
      `${SIZING}/salve/raise-memory-limit-deployment-checkout.yaml`,
    );
    // The overlay stacked on it sets no memory limit itself: its own patch comes after sizing's.
    const stacked = await b.plan(SCALING, 'Deployment/checkout', 'checkout', 'raise-memory-limit');
    expect(stacked.violations).toEqual([]);
    expect(stacked.remediation?.files.map((f) => f.path)).toContain(
      `${SCALING}/salve/raise-memory-limit-deployment-checkout.yaml`,
    );
    expect(stacked.remediation?.files.map((f) => f.path)).not.toContain(`${SIZING}/deployment.yaml`);
  });

  it('rewrites the value of an inline JSON6902 patch and drops the comment that described it (podinfo staging)', async () => {
    const overlay = 'deploy/overlays/staging';
    const b = await bed('podinfo', [overlay]);
    await b.commit('cap the staging autoscaler', {
      [`${overlay}/kustomization.yaml`]: (text) =>
        `${text}patches:\n  - target: {kind: HorizontalPodAutoscaler, name: backend}\n    patch: |-\n      - op: replace\n        path: /spec/maxReplicas\n        value: 3 # staging cap, see INC-1234\n`,
    });
    const got = await b.plan(overlay, 'Deployment/backend', 'backend', 'raise-hpa-max-replicas');
    expect(got.violations).toEqual([]);
    const kustomization = got.remediation?.files.find((f) => f.path === `${overlay}/kustomization.yaml`);
    expect(kustomization?.after).toBe(
      kustomization?.before?.replace('value: 3 # staging cap, see INC-1234\n', 'value: 5\n'),
    );
    expect(got.remediation?.files).toHaveLength(1);
    expect(got.remediation?.notes).toEqual([
      'Dropped the comment "# staging cap, see INC-1234" on "value: 3" in deploy/overlays/staging/kustomization.yaml: it described the value this change replaces ("3").',
    ]);
    expect(got.file(`.salve/remediations/${got.remediation?.id}/explanation.md`)).toContain(
      'Note: Dropped the comment "\\# staging cap, see INC-1234"',
    );
  });

  it('rolls an images: entry back in place and drops a newTag comment that is no longer true (flagger)', async () => {
    const overlay = 'kustomize/base/flagger';
    const b = await bed('flagger', [overlay]);
    await b.commit(
      'release flagger 1.44.1',
      {
        [`${overlay}/kustomization.yaml`]: (text) =>
          text.replace('newTag: 1.44.0', 'newTag: 1.44.1 # bumped for CVE fix'),
      },
      BUMP_TIME,
    );
    const got = await b.plan(overlay, 'Deployment/flagger', 'flagger', 'rollback-image');
    expect(got.violations).toEqual([]);
    const kustomization = got.remediation?.files.find((f) => f.path === `${overlay}/kustomization.yaml`);
    expect(kustomization?.after).toContain('    newTag: 1.44.0\n');
    expect(kustomization?.after).not.toContain('CVE');
    expect(got.remediation?.notes?.[0]).toMatch(/^Dropped the comment "# bumped for CVE fix" on "newTag: 1.44.1"/);
  });
});
