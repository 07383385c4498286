import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDeclaredEffects } from '../check/declared-effects.ts';
import { renderedDiff } from '../check/rendered-diff.ts';
import { CheckError } from '../model/errors.ts';
import { strategicMergePatch } from '../render/patch-file.ts';
import { ensurePatchEntry } from '../render/patches.ts';
import { makePodinfoRepo, type PodinfoRepo } from './__fixtures__/podinfo.ts';
import { buildOverlay, createBuildCache } from './build-overlay.ts';
import { findObject, namespaceLabels } from './objects.ts';

const PRODUCTION = 'deploy/overlays/production';
const MEMORY = '/spec/template/spec/containers[name=backend]/resources/limits/memory';

describe('repo/build-overlay', () => {
  let repo: PodinfoRepo;
  beforeAll(async () => {
    repo = await makePodinfoRepo();
  });
  afterAll(() => repo.cleanup());

  it('renders the production overlay: objects, namespace labels, lookups', async () => {
    const { objects, yaml } = await buildOverlay(repo.dir, PRODUCTION);
    expect(yaml).toContain('kind: Deployment');
    const deployment = findObject(objects, { kind: 'Deployment', name: 'backend', namespace: 'production' });
    expect(deployment?.metadata.labels).toMatchObject({ 'app.kubernetes.io/environment': 'production' });
    expect(findObject(objects, { kind: 'Deployment', name: 'backend', namespace: 'dev' })).toBeNull();
    expect(namespaceLabels(objects, 'production')).toEqual({
      'app.kubernetes.io/environment': 'production',
      'app.kubernetes.io/instance': 'webapp',
    });
    expect(namespaceLabels(objects, 'nowhere')).toEqual({});
  });

  it('a memory patch written into the overlay renders as exactly one declared field change', async () => {
    const cache = createBuildCache();
    const before = await buildOverlay(repo.dir, PRODUCTION, { cache });
    const patch = strategicMergePatch(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'backend',
        spec: { template: { spec: { containers: [{ name: 'backend', resources: { limits: { memory: '768Mi' } } }] } } },
      },
      'Managed by salve: raise memory limit of backend/backend from 512Mi to 768Mi',
    );
    const kustomization = join(repo.dir, PRODUCTION, 'kustomization.yaml');
    await mkdir(join(repo.dir, PRODUCTION, 'salve'), { recursive: true });
    await writeFile(join(repo.dir, PRODUCTION, 'salve', 'backend-memory.yaml'), patch);
    await writeFile(
      kustomization,
      ensurePatchEntry(await readFile(kustomization, 'utf8'), 'salve/backend-memory.yaml'),
    );

    const after = await buildOverlay(repo.dir, PRODUCTION, { cache });
    expect(cache.stats).toEqual({ builds: 2, hits: 0 });
    const diff = renderedDiff(before.objects, after.objects);
    expect(diff).toEqual({
      fields: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'production',
          name: 'backend',
          path: MEMORY,
          before: '512Mi',
          after: '768Mi',
        },
      ],
      objects: [],
    });
    const declared = { kind: 'Deployment', name: 'backend', namespace: 'production', path: MEMORY, after: '768Mi' };
    expect(() => checkDeclaredEffects(diff, { fields: [declared], objects: [] })).not.toThrow();
    await buildOverlay(repo.dir, PRODUCTION, { cache });
    expect(cache.stats).toEqual({ builds: 2, hits: 1 });
  });

  it('keeps builds of the repository in a shared cache across runs, least recently used out first', async () => {
    const shared = createBuildCache({ max: 2 });
    const first = createBuildCache();
    const built = await buildOverlay(repo.dir, 'deploy/overlays/dev', { cache: first, shared });
    const second = createBuildCache();
    expect(await buildOverlay(repo.dir, 'deploy/overlays/dev', { cache: second, shared })).toBe(built);
    expect(shared.stats).toEqual({ builds: 1, hits: 1 });
    expect([first.stats, second.stats]).toEqual([
      { builds: 0, hits: 0 },
      { builds: 0, hits: 0 },
    ]);
    await buildOverlay(repo.dir, 'deploy/overlays/staging', { shared });
    await buildOverlay(repo.dir, PRODUCTION, { shared });
    const again = await buildOverlay(repo.dir, 'deploy/overlays/dev', { shared });
    expect(again).not.toBe(built);
    expect(again.yaml).toBe(built.yaml);
    expect(shared.stats).toEqual({ builds: 4, hits: 1 });
  });

  it('a broken overlay is CheckError kustomize-build-failed naming the overlay and the error', async () => {
    const dir = join(repo.dir, 'deploy/overlays/broken');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'kustomization.yaml'), 'resources:\n  - ../../bases/backend\n  - missing.yaml\n');
    const err = await buildOverlay(repo.dir, 'deploy/overlays/broken').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckError);
    expect((err as CheckError).code).toBe('kustomize-build-failed');
    expect((err as CheckError).message).toMatch(
      /^kustomize build of overlay deploy\/overlays\/broken failed:\nError: .*missing\.yaml/,
    );
  });

  it('tells the cache as each kustomize child starts, while it runs; a cache hit starts none', async () => {
    const events: string[] = [];
    const cache = createBuildCache({ started: () => events.push('started') });
    const building = buildOverlay(repo.dir, PRODUCTION, { cache }).then((r) => {
      events.push('built');
      return r;
    });
    await building;
    await buildOverlay(repo.dir, PRODUCTION, { cache });
    expect(events).toEqual(['started', 'built']);
    expect(cache.stats).toEqual({ builds: 1, hits: 1 });
  });

  it('does not cache a failed build', async () => {
    const dir = join(repo.dir, 'deploy/overlays/fixed-later');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'kustomization.yaml'), 'resources:\n  - cm.yaml\n');
    const cache = createBuildCache();
    await expect(buildOverlay(repo.dir, 'deploy/overlays/fixed-later', { cache })).rejects.toThrow(CheckError);
    await writeFile(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\n');
    const { objects } = await buildOverlay(repo.dir, 'deploy/overlays/fixed-later', { cache });
    expect(objects.map((o) => o.metadata.name)).toEqual(['c']);
  });
});
