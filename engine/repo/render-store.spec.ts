import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../publish/__fixtures__/repo.ts';
import { locateKustomize, type Tool } from '../tools/index.ts';
import { makePodinfoRepo, type PodinfoRepo } from './__fixtures__/podinfo.ts';
import { buildOverlay } from './build-overlay.ts';
import { createRenderStore } from './render-store.ts';

const PRODUCTION = 'deploy/overlays/production';
const STAGING = 'deploy/overlays/staging';

describe('repo/render-store', () => {
  let repo: PodinfoRepo;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let kustomize: Tool;
  let runs: string;
  beforeAll(async () => {
    repo = await makePodinfoRepo();
    tmp = await tempDir('render-store');
    // The real kustomize, behind a script that counts its runs.
    const real = locateKustomize();
    runs = join(tmp.path, 'runs');
    const wrapper = join(tmp.path, 'kustomize');
    await writeFile(
      wrapper,
      `#!/bin/sh\necho run >> '${runs}'\nexec '${real.command}' ${real.prefix.join(' ')} "$@"\n`,
    );
    await chmod(wrapper, 0o755);
    kustomize = { name: 'kustomize', command: wrapper, prefix: [] };
  });
  afterAll(async () => {
    await repo.cleanup();
    await tmp.remove();
  });

  const kustomizeRuns = async () => (await readFile(runs, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  const entries = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith('.render'));

  it('answers a build seen by an earlier process from disk, the same objects, without running kustomize', async () => {
    const dir = join(tmp.path, 'kept');
    const first = createRenderStore({ dir, kustomize });
    const built = await buildOverlay(repo.dir, PRODUCTION, { shared: first, kustomize });
    expect(first.stats).toEqual({ builds: 1, hits: 0 });
    expect(await entries(dir)).toHaveLength(1);
    const before = await kustomizeRuns();

    const second = createRenderStore({ dir, kustomize });
    const kept = await buildOverlay(repo.dir, PRODUCTION, { shared: second, kustomize });
    expect(second.stats).toEqual({ builds: 0, hits: 1 });
    expect(await kustomizeRuns()).toBe(before);
    expect(kept.yaml).toBe(built.yaml);
    expect(kept.objects).toEqual(built.objects);
    expect(kept.objects).not.toBe(built.objects);
  });

  it('drops an entry whose manifests were changed on disk, and builds again', async () => {
    const dir = join(tmp.path, 'tampered');
    const built = await buildOverlay(repo.dir, PRODUCTION, {
      shared: createRenderStore({ dir, kustomize }),
      kustomize,
    });
    const [name] = await entries(dir);
    const file = join(dir, name as string);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('kind: Deployment');
    await writeFile(file, text.replace('kind: Deployment', 'kind: DaemonSet'));
    const before = await kustomizeRuns();
    const store = createRenderStore({ dir, kustomize });
    const again = await buildOverlay(repo.dir, PRODUCTION, { shared: store, kustomize });
    expect(store.stats).toEqual({ builds: 1, hits: 0 });
    expect(await kustomizeRuns()).toBe(before + 1);
    expect(again.yaml).toBe(built.yaml);
    // The objects kept as JSON beside the manifests are checked the same way.
    const rewritten = await readFile(file, 'utf8');
    expect(rewritten).toContain('"kind":"Deployment"');
    await writeFile(file, rewritten.replace('"kind":"Deployment"', '"kind":"DaemonSet"'));
    const third = createRenderStore({ dir, kustomize });
    const rebuilt = await buildOverlay(repo.dir, PRODUCTION, { shared: third, kustomize });
    expect(third.stats).toEqual({ builds: 1, hits: 0 });
    expect(rebuilt.objects).toEqual(built.objects);
  });

  it('keeps renders apart per kustomize binary, and at most maxEntries of them', async () => {
    const dir = join(tmp.path, 'bounded');
    await buildOverlay(repo.dir, PRODUCTION, { shared: createRenderStore({ dir, kustomize }), kustomize });
    const other = { ...kustomize, prefix: [] as string[], command: locateKustomize().command };
    const store = createRenderStore({ dir, kustomize: other, maxEntries: 1 });
    await buildOverlay(repo.dir, PRODUCTION, { shared: store, kustomize: other });
    expect(store.stats).toEqual({ builds: 1, hits: 0 });
    await buildOverlay(repo.dir, STAGING, { shared: store, kustomize: other });
    expect(await entries(dir)).toHaveLength(1);
  });
});
