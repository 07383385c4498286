import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directoryTree } from '../../repo/fs-tree.ts';
import { entryLine, overlayPin, withVersion } from './layered.ts';
import { effectivePin, findPins, splitImage } from './pins.ts';

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

/** A repo of kustomizations: path → text. */
async function repo(files: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'salve-pins-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return directoryTree(dir);
}

const pinIn = (name: string, fields: string) => `images:\n  - name: ${name}\n${fields}`;

describe('rollback-image/pins', () => {
  it('splits an image into name, tag and digest (a registry port is not a tag)', () => {
    expect(splitImage('localhost:5000/app:1.2@sha256:ab')).toEqual({
      name: 'localhost:5000/app',
      tag: '1.2',
      digest: 'sha256:ab',
    });
    expect(splitImage('localhost:5000/app')).toEqual({ name: 'localhost:5000/app' });
  });

  it("prefers the overlay's own pin and does not read what it overrides", async () => {
    const tree = await repo({
      'base/kustomization.yaml': pinIn('acme/app', '    newTag: "1"\n'),
      'prod/kustomization.yaml': `resources:\n  - ../base\n${pinIn('acme/app', '    newTag: "2"\n')}`,
    });
    expect(await findPins(tree, 'prod', 'acme/app')).toEqual([
      { file: 'prod/kustomization.yaml', entry: { name: 'acme/app', newTag: '2' }, field: 'newTag', value: '2' },
    ]);
  });

  it('follows an outer rename inward to the base entry that sets the tag', async () => {
    const tree = await repo({
      'base/kustomization.yaml': `resources: [deploy.yaml]\n${pinIn('app', '    newTag: "1.0"\n')}`,
      'prod/kustomization.yaml': `resources:\n  - ../base\n${pinIn('app', '    newName: registry.example/app\n')}`,
    });
    const found = await effectivePin(tree, 'prod', 'registry.example/app:1.0', 'app');
    expect(found).toEqual({
      pin: { file: 'base/kustomization.yaml', entry: { name: 'app', newTag: '1.0' }, field: 'newTag', value: '1.0' },
    });
  });

  it('picks the one of two side-by-side pins that renders, and declines when both do', async () => {
    const files = {
      'a/kustomization.yaml': pinIn('app', '    newTag: "1"\n'),
      'b/kustomization.yaml': pinIn('app', '    newTag: "2"\n'),
      'prod/kustomization.yaml': 'resources:\n  - ../a\n  - ../b\n',
    };
    const tree = await repo(files);
    const found = await effectivePin(tree, 'prod', 'app:2', 'web');
    expect('pin' in found && found.pin.file).toBe('b/kustomization.yaml');
    const both = await repo({ ...files, 'b/kustomization.yaml': pinIn('app', '    newTag: "1"\n') });
    expect(await effectivePin(both, 'prod', 'app:1', 'web')).toEqual({
      reason:
        'app is pinned in a/kustomization.yaml and b/kustomization.yaml, which the overlay includes side by side: salve cannot tell which one renders container web',
    });
  });

  it('reads a digest pin, and declines a tag pin the render carries with a digest', async () => {
    const tree = await repo({
      'base/kustomization.yaml': pinIn('app', '    digest: sha256:aa\n'),
      'prod/kustomization.yaml': `resources:\n  - ../base\n`,
    });
    const found = await effectivePin(tree, 'prod', 'app@sha256:aa', 'web');
    expect('pin' in found && [found.pin.field, found.pin.value]).toEqual(['digest', 'sha256:aa']);
    const tagged = await repo({
      'base/kustomization.yaml': pinIn('app', '    newTag: "1"\n'),
      'prod/kustomization.yaml': `resources:\n  - ../base\n`,
    });
    expect(await effectivePin(tagged, 'prod', 'app:1@sha256:cc', 'web')).toEqual({
      reason:
        'container web renders app:1@sha256:cc, but base/kustomization.yaml pins newTag 1: something else sets the image (a patch, a replacement or a transformer), and rolling that pin back would not change what runs',
    });
  });

  it('walks components, last one first, and stays inside the repository without refusing anything', async () => {
    const tree = await repo({
      'c1/kustomization.yaml': `kind: Component\n${pinIn('app', '    newTag: "1"\n')}`,
      'c2/kustomization.yaml': `kind: Component\n${pinIn('app', '    newTag: "2"\n')}`,
      'prod/kustomization.yaml':
        'resources:\n  - ../../outside\n  - https://github.com/acme/remote//base?ref=v1\n  - /etc\n  - ../missing\ncomponents:\n  - ../c1\n  - ../c2\n',
    });
    expect((await findPins(tree, 'prod', 'app')).map((p) => p.file)).toEqual([
      'c2/kustomization.yaml',
      'c1/kustomization.yaml',
    ]);
    expect(await effectivePin(tree, 'prod', 'other:1', 'web')).toEqual({
      reason:
        'no kustomization the overlay reaches pins the image of container web (no images: entry that sets a tag or digest for other)',
      unpinned: true,
    });
    expect(await findPins(tree, '../prod', 'app')).toEqual([]);
  });
});

describe('rollback-image/layered', () => {
  it('writes the restored value in the field that pinned it', () => {
    expect(overlayPin({ image: 'app', toTag: 'sha256:aa', toField: 'digest' })).toEqual({
      name: 'app',
      digest: 'sha256:aa',
    });
    expect(overlayPin({ image: 'app', toTag: 'v1', toField: 'newTag' })).toEqual({ name: 'app', newTag: 'v1' });
    // Params recorded before the field was: a digest always holds ':', a tag never does.
    expect(overlayPin({ image: 'app', toTag: 'sha256:aa' })).toEqual({ name: 'app', digest: 'sha256:aa' });
    expect(withVersion('app', { tag: 'sha256:aa', field: 'digest' })).toBe('app@sha256:aa');
    expect(withVersion('app', { tag: 'v1', field: 'newTag' })).toBe('app:v1');
  });

  it("names the line of the overlay's entry", () => {
    expect(entryLine('resources:\n- ../base\nimages:\n- name: other\n- name: app\n  newTag: v1\n', 'app')).toBe(5);
    expect(entryLine('resources: []\n', 'app')).toBeNull();
  });
});
