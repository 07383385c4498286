import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalveConfig } from '../config/schema.ts';
import { argoApplication, makePodinfoRepo, type PodinfoRepo } from './__fixtures__/podinfo.ts';
import { buildOverlay, createBuildCache } from './build-overlay.ts';
import { directoryTree } from './fs-tree.ts';
import { mayRender, overlayNames } from './may-render.ts';
import { resolveOverlay } from './resolve-overlay.ts';

const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: app, image: registry.example.org/${name}:1}]}
`;

async function write(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
}

/** An app `name` of one Deployment in namespace production on prod-cluster, with an optional kustomization tail. */
async function addApp(dir: string, name: string, kustomization = ''): Promise<void> {
  await write(join(dir, 'apps', name, 'deployment.yaml'), deployment(name));
  await write(join(dir, 'apps', name, 'kustomization.yaml'), `resources: [deployment.yaml]\n${kustomization}`);
  await write(join(dir, 'argocd', `${name}.yaml`), argoApplication(name, `apps/${name}`, 'prod-cluster', 'production'));
}

describe('repo/may-render', () => {
  let repo: PodinfoRepo;
  const config = SalveConfig.parse({});
  beforeAll(async () => {
    repo = await makePodinfoRepo();
    for (const name of ['cart', 'search', 'ledger']) await addApp(repo.dir, name);
    await addApp(repo.dir, 'web', 'namePrefix: shop-\nnameSuffix: -v2\n');
    await addApp(
      repo.dir,
      'renamed',
      'replacements:\n  - source: {kind: Deployment, fieldPath: spec.template.metadata.labels.app}\n    targets: [{select: {kind: Deployment}, fieldPaths: [metadata.name]}]\n',
    );
  });
  afterAll(() => repo.cleanup());

  it('reads the names an overlay can render from its files, every name kustomize renders among them', async () => {
    const tree = directoryTree(repo.dir);
    const production = await overlayNames(tree, 'deploy/overlays/production');
    const { objects } = await buildOverlay(repo.dir, 'deploy/overlays/production');
    for (const o of objects) expect(mayRender(production, o.metadata.name)).toBe(true);
    expect(mayRender(production, 'cart')).toBe(false);
    const web = await overlayNames(tree, 'apps/web');
    expect(mayRender(web, 'shop-web-v2')).toBe(true);
    expect(mayRender(web, 'cart')).toBe(false);
    // A name kustomize can set from elsewhere: only a build can tell.
    expect(await overlayNames(tree, 'apps/renamed')).toBeNull();
  });

  it('resolves a target among Applications sharing its namespace by building only those that can render it', async () => {
    const cache = createBuildCache();
    const target = { cluster: 'prod-cluster', namespace: 'production', kind: 'Deployment', name: 'search' };
    const resolution = await resolveOverlay(repo.dir, target, { config, cache });
    expect(resolution.overlay).toBe('apps/search');
    // apps/search, and apps/renamed that no static pass can rule out; not podinfo, cart, ledger, web.
    expect(resolution.considered).toEqual(['apps/renamed', 'apps/search']);
    expect(cache.stats.builds).toBe(2);
    const web = await resolveOverlay(repo.dir, { ...target, name: 'shop-web-v2' }, { config });
    expect(web.overlay).toBe('apps/web');
  });
});
