/**
 * Rolling back an image the overlay does not pin itself: real repos pin images in a base (kubeflow's
 * katib-leader-election includes katib-standalone, which pins katib-controller). salve finds the pin
 * that renders the image, reads the release from that file's history, and writes the rollback as a
 * pin in the overlay alone, proven by the real kustomize build to change one field.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUMP_TIME, CORPUS_NOW } from '../../engine/corpus/run.ts';
import { type Bed, openTestbed, type Planned } from './testbed.ts';

const OVERLAY = 'applications/katib/upstream/installs/katib-leader-election';
const STANDALONE = 'applications/katib/upstream/installs/katib-standalone/kustomization.yaml';
const CONTROLLER = 'applications/katib/upstream/components/controller/kustomization.yaml';
const OWN = `${OVERLAY}/kustomization.yaml`;
const IMAGE = 'ghcr.io/kubeflow/katib/katib-controller';
const PATH = '/spec/template/spec/containers[name=katib-controller]/image';
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

const beds: Bed[] = [];
afterAll(() => Promise.all(beds.map((b) => b.cleanup())));

async function katib(): Promise<Bed> {
  const b = await openTestbed('kubeflow', [OVERLAY]);
  beds.push(b);
  return b;
}

/** The controller's entry in katib-standalone, with `line` for its tag line. */
function setControllerPin(text: string, line: string): string {
  const entry = `  - name: ${IMAGE}\n    newName: ${IMAGE}\n    newTag: v0.19.0\n`;
  expect(text).toContain(entry);
  return text.replace(entry, `  - name: ${IMAGE}\n    newName: ${IMAGE}\n    ${line}\n`);
}

function planController(b: Bed, anyway = false): Promise<Planned> {
  return b.plan(OVERLAY, 'Deployment/katib-controller', 'katib-controller', 'rollback-image', { anyway });
}

/** The change's config files (the proof and explanation aside). */
function configFiles(got: Planned): string[] {
  return (got.remediation?.files ?? []).map((f) => f.path).filter((p) => !p.startsWith('.salve/'));
}

describe('rollback of an image pinned in a kustomization the overlay includes', () => {
  it('pins the previous tag in the overlay when a release bumped it in the base (kubeflow katib-leader-election)', async () => {
    const b = await katib();
    await b.commit('release katib v0.20.0', { [STANDALONE]: (t) => t.replaceAll('v0.19.0', 'v0.20.0') }, BUMP_TIME);
    const got = await planController(b);
    expect(got.violations).toEqual([]);
    expect(got.result).toHaveProperty('checks');
    // One file, in the overlay; the base every other katib install includes is untouched.
    expect(configFiles(got)).toEqual([OWN]);
    const own = got.remediation?.files.find((f) => f.path === OWN);
    expect(own?.after).toBe(`${own?.before}images:\n- name: ${IMAGE}\n  newTag: v0.19.0\n`);
    // The real build of the change: one field, the image, back to v0.19.0.
    expect(got.remediation?.diff.objects).toEqual([]);
    expect(got.remediation?.diff.fields).toEqual([
      expect.objectContaining({
        kind: 'Deployment',
        name: 'katib-controller',
        path: PATH,
        before: `${IMAGE}:v0.20.0`,
        after: `${IMAGE}:v0.19.0`,
      }),
    ]);
    expect(got.remediation?.action.params).toMatchObject({
      image: IMAGE,
      fromTag: 'v0.20.0',
      toTag: 'v0.19.0',
      toField: 'newTag',
    });
    const rationale = got.remediation?.action.rationale.join('\n') ?? '';
    const line = (own?.after ?? '').split('\n').indexOf(`- name: ${IMAGE}`) + 1;
    expect(line).toBeGreaterThan(0);
    expect(rationale).toMatch(
      new RegExp(`The release landed in ${STANDALONE}, a kustomization this overlay includes: commit [0-9a-f]{7} set`),
    );
    expect(rationale).toContain(`it overrides the newTag set in ${STANDALONE} for this overlay only`);
    expect(rationale).toContain(
      `Other overlays that include ${STANDALONE.replace('/kustomization.yaml', '')} still run v0.20.0`,
    );
    expect(rationale).toContain(
      `A later release in ${STANDALONE} will not reach this overlay until that pin is removed: the images: entry ${IMAGE} at ${OWN} line ${line}.`,
    );
  });

  it('reads the outermost pin when an intermediate kustomization and its base both pin the image', async () => {
    const b = await katib();
    // The controller component pins a tag of its own, with a history: katib-standalone overrides it.
    const inner = (tag: string) => (t: string) => `${t}images:\n  - name: ${IMAGE}\n    newTag: ${tag}\n`;
    const base = await readFile(join(b.ws.dir, CONTROLLER), 'utf8');
    await b.commit('controller pins v0.17.0', { [CONTROLLER]: inner('v0.17.0') });
    await b.commit('controller pins v0.18.0', { [CONTROLLER]: () => inner('v0.18.0')(base) });
    await b.commit('release katib v0.20.0', { [STANDALONE]: (t) => t.replaceAll('v0.19.0', 'v0.20.0') }, BUMP_TIME);
    const got = await planController(b);
    expect(got.violations).toEqual([]);
    expect(configFiles(got)).toEqual([OWN]);
    expect(got.remediation?.action.params).toMatchObject({ fromTag: 'v0.20.0', toTag: 'v0.19.0' });
    expect(got.remediation?.diff.fields.map((f) => [f.path, f.after])).toEqual([[PATH, `${IMAGE}:v0.19.0`]]);
    const rationale = got.remediation?.action.rationale.join('\n') ?? '';
    expect(rationale).toContain(`The release landed in ${STANDALONE}`);
    expect(rationale).not.toContain(CONTROLLER);
  });

  it('restores a digest as a digest (name@sha256:…, never name:sha256:…)', async () => {
    const b = await katib();
    await b.commit('pin the controller by digest', { [STANDALONE]: (t) => setControllerPin(t, `digest: ${DIGEST_A}`) });
    await b.commit(
      'release the controller by digest',
      { [STANDALONE]: (t) => t.replace(DIGEST_A, DIGEST_B) },
      BUMP_TIME,
    );
    const got = await planController(b);
    expect(got.violations).toEqual([]);
    expect(got.remediation?.action.params).toMatchObject({ fromTag: DIGEST_B, toTag: DIGEST_A, toField: 'digest' });
    const own = got.remediation?.files.find((f) => f.path === OWN);
    expect(own?.after).toBe(`${own?.before}images:\n- name: ${IMAGE}\n  digest: ${DIGEST_A}\n`);
    expect(got.remediation?.diff.fields.map((f) => [f.path, f.before, f.after])).toEqual([
      [PATH, `${IMAGE}@${DIGEST_B}`, `${IMAGE}@${DIGEST_A}`],
    ]);
  });

  it('restores a tag as a tag after a release that pinned a digest', async () => {
    const b = await katib();
    await b.commit(
      'release the controller by digest',
      { [STANDALONE]: (t) => setControllerPin(t, `digest: ${DIGEST_B}`) },
      BUMP_TIME,
    );
    const got = await planController(b);
    expect(got.violations).toEqual([]);
    expect(got.remediation?.action.params).toMatchObject({ fromTag: DIGEST_B, toTag: 'v0.19.0', toField: 'newTag' });
    expect(got.remediation?.diff.fields.map((f) => f.after)).toEqual([`${IMAGE}:v0.19.0`]);
  });

  it('declines, saying what, when the base pins a value the overlay does not render (a patch sets the image)', async () => {
    const b = await katib();
    const patch = `patches:\n- target: {kind: Deployment, name: katib-controller}\n  patch: |-\n    - op: replace\n      path: /spec/template/spec/containers/0/image\n      value: ${IMAGE}:v0.19.0-hotfix\n`;
    await b.commit('hotfix the controller image', { [OWN]: (t) => `${t}${patch}` });
    await b.commit('release katib v0.20.0', { [STANDALONE]: (t) => t.replaceAll('v0.19.0', 'v0.20.0') }, BUMP_TIME);
    const got = await planController(b, true);
    expect(got.planned?.kind).toBe('none');
    const reason = got.planned?.kind === 'none' ? got.planned.reason : '';
    expect(reason).toContain(
      `rollback-image: container katib-controller renders ${IMAGE}:v0.19.0-hotfix, but ${STANDALONE} pins newTag v0.20.0: something else sets the image (a patch, a replacement or a transformer)`,
    );
    expect(got.remediation).toBeNull();
  });

  it('declines when the failure began before the release landed: rolling it back would not stop it', async () => {
    const b = await katib();
    // The corpus incident's first signal is 3 minutes before CORPUS_NOW; this release came 8 minutes after it.
    const late = new Date(CORPUS_NOW.getTime() + 5 * 60_000);
    await b.commit('release katib v0.20.0', { [STANDALONE]: (t) => t.replaceAll('v0.19.0', 'v0.20.0') }, late);
    const got = await planController(b, true);
    expect(got.planned?.kind).toBe('none');
    const reason = got.planned?.kind === 'none' ? got.planned.reason : '';
    expect(reason).toMatch(
      /rollback-image: the failure began 8m before v0\.20\.0 landed in commit [0-9a-f]{7} \(at 2025-06-12T10:05:00\.000Z\): the release did not start it, so rolling it back would not stop it/,
    );
    expect(got.remediation).toBeNull();
  });

  it("still rolls back a release that landed within the clocks' allowance after the first signal", async () => {
    const b = await katib();
    const close = new Date(CORPUS_NOW.getTime() - 60_000);
    await b.commit('release katib v0.20.0', { [STANDALONE]: (t) => t.replaceAll('v0.19.0', 'v0.20.0') }, close);
    const got = await planController(b);
    expect(got.violations).toEqual([]);
    expect(got.remediation?.action.params).toMatchObject({ fromTag: 'v0.20.0', toTag: 'v0.19.0' });
    expect(got.remediation?.action.rationale.join('\n')).toContain('came 2m before v0.20.0 landed in commit');
    expect(got.remediation?.action.rationale.join('\n')).toContain(
      'within the 5m allowed for the alerting and git clocks to disagree',
    );
  });

  it('says where a base pins the image when the failing pods run another one (drift)', async () => {
    const b = await katib();
    const got = await b.plan(OVERLAY, 'Deployment/katib-controller', 'katib-controller', 'rollback-image', {
      runs: `${IMAGE}:v0.21.0`,
    });
    expect(got.planned?.kind).toBe('drift');
    const drift = got.planned?.kind === 'drift' ? got.planned.drift : null;
    const text = await readFile(join(b.ws.dir, STANDALONE), 'utf8');
    const line = text.split('\n').indexOf(`  - name: ${IMAGE}`) + 1;
    expect(line).toBeGreaterThan(0);
    expect(drift?.gitSetsItIn).toBe(`${STANDALONE}:${line} (images: entry ${IMAGE}, newTag: v0.19.0)`);
  });
});
