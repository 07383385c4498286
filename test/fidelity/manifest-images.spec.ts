/**
 * Rolling back an image no kustomization pins: the tag is written in a Deployment's container
 * (podinfo's bases write `image: ghcr.io/stefanprodan/podinfo:6.14.1`), a release edits that line,
 * the pods crash. salve finds the line, reads what it said before from git, and pins that in the
 * overlay alone, proven by the real kustomize build to change one field.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUMP_TIME } from '../../engine/corpus/run.ts';
import { type Bed, openTestbed, type Planned } from './testbed.ts';

const OVERLAY = 'deploy/overlays/staging';
const OWN = `${OVERLAY}/kustomization.yaml`;
const BACKEND = 'deploy/bases/backend/deployment.yaml';
const FRONTEND = 'deploy/bases/frontend/deployment.yaml';
const IMAGE = 'ghcr.io/stefanprodan/podinfo';
const PATH = '/spec/template/spec/containers[name=backend]/image';

const beds: Bed[] = [];
afterAll(() => Promise.all(beds.map((b) => b.cleanup())));

async function podinfo(): Promise<Bed> {
  const b = await openTestbed('podinfo', [OVERLAY, 'deploy/overlays/production']);
  beds.push(b);
  return b;
}

const release = (t: string) => {
  expect(t).toContain(`image: ${IMAGE}:6.14.1`);
  return t.replace(`image: ${IMAGE}:6.14.1`, `image: ${IMAGE}:6.15.0`);
};

function planBackend(b: Bed, anyway = false): Promise<Planned> {
  return b.plan(OVERLAY, 'Deployment/backend', 'backend', 'rollback-image', { anyway });
}

function reasonOf(got: Planned): string {
  return got.planned?.kind === 'none' ? got.planned.reason : '';
}

describe('rollback of an image written in a manifest, pinned by no kustomization', () => {
  it('pins the tag the manifest line had before the release, in the overlay only (podinfo staging)', async () => {
    const b = await podinfo();
    await b.commit('release backend 6.15.0', { [BACKEND]: release }, BUMP_TIME);
    const got = await planBackend(b);
    expect(got.violations).toEqual([]);
    expect(got.result).toHaveProperty('checks');
    const files = (got.remediation?.files ?? []).map((f) => f.path).filter((p) => !p.startsWith('.salve/'));
    expect(files).toEqual([OWN]);
    const own = got.remediation?.files.find((f) => f.path === OWN);
    // In the file's own style (its lists are indented).
    expect(own?.after).toBe(`${own?.before}images:\n  - name: ${IMAGE}\n    newTag: 6.14.1\n`);
    // The real build: one field, the backend's image; frontend, cache jobs and cronjobs (the same
    // image, still 6.14.1) are untouched.
    expect(got.remediation?.diff.objects).toEqual([]);
    expect(got.remediation?.diff.fields).toEqual([
      expect.objectContaining({
        kind: 'Deployment',
        name: 'backend',
        path: PATH,
        before: `${IMAGE}:6.15.0`,
        after: `${IMAGE}:6.14.1`,
      }),
    ]);
    expect(got.remediation?.action.params).toMatchObject({
      image: IMAGE,
      fromTag: '6.15.0',
      toTag: '6.14.1',
      toField: 'newTag',
    });
    const manifest = await readFile(join(b.ws.dir, BACKEND), 'utf8');
    const imageLine = manifest.split('\n').findIndex((l) => l.includes(`image: ${IMAGE}:6.15.0`)) + 1;
    expect(imageLine).toBeGreaterThan(0);
    const entry = (own?.after ?? '').split('\n').indexOf(`  - name: ${IMAGE}`) + 1;
    expect(entry).toBeGreaterThan(0);
    const rationale = got.remediation?.action.rationale.join('\n') ?? '';
    expect(rationale).toMatch(
      new RegExp(
        `The release landed in ${BACKEND} line ${imageLine}: commit [0-9a-f]{7} set the image of Deployment/backend container backend to ${IMAGE}:6.15.0 there; no kustomization pins it.`,
      ),
    );
    expect(rationale).toContain(`an images: entry overrides the image written in ${BACKEND} for this overlay only`);
    expect(rationale).toContain(`Other overlays that include ${BACKEND} still run 6.15.0.`);
    expect(rationale).toContain(
      `A later edit of ${BACKEND} line ${imageLine} will not reach this overlay until that pin is removed: the images: entry ${IMAGE} at ${OWN} line ${entry}.`,
    );
  });

  it('declines, naming the patch, when a patch of the overlay also sets the image', async () => {
    const b = await podinfo();
    const patch = `patches:\n- target: {kind: Deployment, name: backend}\n  patch: |-\n    - op: replace\n      path: /spec/template/spec/containers/0/image\n      value: ${IMAGE}:6.15.0\n`;
    await b.commit('release backend 6.15.0, in the manifest and a patch', {
      [BACKEND]: release,
      [OWN]: (t) => `${t}${patch}`,
    });
    const got = await planBackend(b, true);
    expect(got.planned?.kind).toBe('none');
    expect(reasonOf(got)).toContain(
      `rollback-image: Deployment/backend container backend: ${IMAGE}:6.15.0 is written in ${BACKEND}, but ${OWN} (inline) also sets ${IMAGE}: a patch sets the image`,
    );
    expect(got.remediation).toBeNull();
  });

  it('declines, naming the other container, when the release wrote the image in two manifests', async () => {
    const b = await podinfo();
    await b.commit('release podinfo 6.15.0', { [BACKEND]: release, [FRONTEND]: release }, BUMP_TIME);
    const got = await planBackend(b, true);
    expect(got.planned?.kind).toBe('none');
    expect(reasonOf(got)).toContain(
      `rollback-image: an images: entry for ${IMAGE} in the overlay would also change Deployment/frontend container frontend (${IMAGE}:6.15.0)`,
    );
    expect(got.remediation).toBeNull();
  });
});
