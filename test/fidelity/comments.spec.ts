/**
 * Comments under the wrong key: a kubebuilder scaffold (kubeflow's tensorboard controller,
 * `upstream/default`) ends its lists in commented-out entries (`#- ../webhook`,
 * `#- manager_config_patch.yaml`). The keys salve adds go after those blocks, so uncommenting an
 * entry still makes it an entry of the list it was written under.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachedComments } from '../../engine/corpus/comments.ts';
import { type Bed, openTestbed } from './testbed.ts';

const OVERLAY = 'applications/tensorboard/tensorboard-controller/upstream/default';
let bed: Bed;

beforeAll(async () => {
  bed = await openTestbed('kubeflow', [OVERLAY]);
});
afterAll(() => bed?.cleanup());

describe('comments stay with their key (kubeflow kubebuilder scaffold)', () => {
  it('adds patches:, resources: and configurations: after the commented-out entries', async () => {
    const got = await bed.plan(
      OVERLAY,
      'Deployment/tensorboard-controller-deployment',
      'manager',
      'raise-memory-limit',
    );
    expect(got.violations).toEqual([]);
    const change = got.remediation?.files.find((f) => f.path === `${OVERLAY}/kustomization.yaml`);
    const after = change?.after ?? '';
    const lines = after.split('\n');
    const at = (text: string) => lines.indexOf(text);
    expect(at('#- webhookcainjection_patch.yaml')).toBeLessThan(at('patches:'));
    expect(at('patches:')).toBeLessThan(
      at('# the following config is for teaching kustomize how to do var substitution'),
    );
    expect(lines[at('patches:') - 1]).toBe('');
    // Every comment is still attached to the key it was written under.
    const anchors = (text: string) => attachedComments(text).map((c) => `${c.anchor} ${c.text}`);
    expect(anchors(after)).toEqual(expect.arrayContaining(anchors(change?.before ?? '')));
    expect(
      attachedComments(after).filter((c) => ['patches', 'resources', 'configurations'].includes(c.anchor)),
    ).toEqual([]);
  });
});
