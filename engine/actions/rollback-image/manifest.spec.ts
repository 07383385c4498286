import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directoryTree } from '../../repo/fs-tree.ts';
import { buildSources, manifestImage, setsImage } from './manifest.ts';

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

async function repo(files: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'salve-manifest-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return directoryTree(dir);
}

const deploy = (name: string, image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ${image}\n`;
const TARGET = { kind: 'Deployment', name: 'prod-web', container: 'web', image: 'acme/web:2' };

describe('rollback-image/manifest', () => {
  it('finds the manifest line a base writes the image on, through a prefixing overlay', async () => {
    const tree = await repo({
      'base/kustomization.yaml': 'resources:\n  - deploy.yaml\n',
      'base/deploy.yaml': deploy('web', 'acme/web:2'),
      'prod/kustomization.yaml': 'namePrefix: prod-\nresources:\n  - ../base\n',
    });
    expect(await manifestImage(tree, 'prod', TARGET)).toEqual({
      manifest: {
        file: 'base/deploy.yaml',
        kind: 'Deployment',
        name: 'web',
        container: 'web',
        image: 'acme/web:2',
        line: 10,
      },
    });
  });

  it('declines, naming both lines, when two manifests could render the container', async () => {
    const tree = await repo({
      'a/kustomization.yaml': 'resources: [deploy.yaml]\n',
      'a/deploy.yaml': deploy('web', 'acme/web:2'),
      'b/kustomization.yaml': 'namePrefix: prod-\nresources: [deploy.yaml]\n',
      'b/deploy.yaml': deploy('web', 'acme/web:2'),
      'prod/kustomization.yaml': 'namePrefix: x-\nresources: [../a, ../b]\n',
    });
    const found = await manifestImage(tree, 'prod', { ...TARGET, name: 'x-prod-web' });
    expect(found).toEqual({
      reason:
        'acme/web:2 of Deployment/x-prod-web container web is written in a/deploy.yaml line 10 (Deployment/web) and b/deploy.yaml line 10 (Deployment/web): salve cannot tell which one renders it',
    });
  });

  it('takes the manifest named exactly as rendered over one whose name is only part of it', async () => {
    const tree = await repo({
      'base/kustomization.yaml': 'resources: [deploy.yaml]\n',
      'base/deploy.yaml': deploy('web', 'acme/web:2'),
      'prod/kustomization.yaml': 'resources: [../base, web-ebs.yaml]\n',
      'prod/web-ebs.yaml': deploy('web-ebs', 'acme/web:2'),
    });
    const found = await manifestImage(tree, 'prod', { ...TARGET, name: 'web-ebs' });
    expect(found).toMatchObject({ manifest: { file: 'prod/web-ebs.yaml', name: 'web-ebs' } });
  });

  it('declines, naming it, when a patch also sets the image (inline or in a file)', async () => {
    const base = {
      'base/kustomization.yaml': 'resources: [deploy.yaml]\n',
      'base/deploy.yaml': deploy('web', 'acme/web:2'),
    };
    const inline = await repo({
      ...base,
      'prod/kustomization.yaml':
        'resources: [../base]\npatches:\n  - target: {kind: Deployment}\n    patch: |-\n      - op: replace\n        path: /spec/template/spec/containers/0/image\n        value: acme/web:2\n',
    });
    expect(await manifestImage(inline, 'prod', { ...TARGET, name: 'web' })).toEqual({
      reason:
        'Deployment/web container web: acme/web:2 is written in base/deploy.yaml, but prod/kustomization.yaml (inline) also sets acme/web: a patch sets the image, and an images: entry rolling back a manifest line would not be the one change that ran',
    });
    const file = await repo({
      ...base,
      'prod/kustomization.yaml': 'resources: [../base]\npatchesStrategicMerge: [web.yaml]\n',
      'prod/web.yaml': deploy('web', 'acme/web:3'),
    });
    const found = await manifestImage(file, 'prod', { ...TARGET, name: 'web', image: 'acme/web:3' });
    expect(found).toEqual({
      reason:
        'Deployment/web container web: prod/web.yaml also sets acme/web: a patch sets the image, and an images: entry rolling back a manifest line would not be the one change that ran',
    });
  });

  it('counts a patch too large to read as one that may set the image', async () => {
    const tree = await repo({
      'base/kustomization.yaml': 'resources: [deploy.yaml]\n',
      'base/deploy.yaml': deploy('web', 'acme/web:2'),
      'prod/kustomization.yaml': 'resources: [../base]\npatches:\n  - path: huge.yaml\n',
      'prod/huge.yaml': `# ${'x'.repeat(1024 * 1024)}\n`,
    });
    expect(await manifestImage(tree, 'prod', { ...TARGET, name: 'web' })).toMatchObject({
      reason: expect.stringContaining('prod/huge.yaml also sets acme/web'),
    });
  });

  it('says so when no manifest writes the image', async () => {
    const tree = await repo({
      'prod/kustomization.yaml': 'resources: [deploy.yaml]\n',
      'prod/deploy.yaml': deploy('web', 'acme/web:1'),
    });
    expect(await manifestImage(tree, 'prod', { ...TARGET, name: 'web' })).toEqual({
      reason:
        'no kustomization the overlay reaches pins the image of Deployment/web container web, and no manifest it includes writes acme/web:2 for it',
    });
  });

  it('does not leave the repository or read what the build would refuse', async () => {
    const tree = await repo({
      'prod/kustomization.yaml': 'resources: [../../outside.yaml, ../../../etc, https://example.com/x.yaml]\n',
    });
    expect(await buildSources(tree, 'prod')).toEqual({ manifests: [], patches: [] });
    expect(await buildSources(tree, '../elsewhere')).toEqual({ manifests: [], patches: [] });
  });

  it('tells a patch that sets an image from one that sets something else', () => {
    const op = (path: string, value: string) => `- op: replace\n  path: ${path}\n  value: ${value}\n`;
    expect(setsImage(op('/spec/template/spec/containers/0/image', 'acme/web:9'), 'acme/web')).toBe(true);
    expect(setsImage(op('/spec/template/spec/containers/0/image', 'other:9'), 'acme/web')).toBe(false);
    expect(setsImage(op('/metadata/labels/image', 'acme/web'), 'acme/web')).toBe(false);
    expect(setsImage('- op: remove\n  path: /spec/template/spec/containers/0/image\n', 'acme/web')).toBe(true);
    expect(setsImage(deploy('web', 'acme/web@sha256:aa'), 'acme/web')).toBe(true);
    expect(setsImage(deploy('web', 'hello:1'), 'acme/web')).toBe(false);
    const replacement =
      '[{"source":{"kind":"ConfigMap"},"targets":[{"fieldPaths":["spec.template.spec.containers.0.image"]}]}]';
    expect(setsImage(replacement, 'acme/web')).toBe(true);
  });
});
