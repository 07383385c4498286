/** The model against the project's example config repo (`examples/config-repo`), read-only. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDeclaredEffects } from '../check/declared-effects.ts';
import { renderedDiff } from '../check/rendered-diff.ts';
import type { SalveConfig } from '../config/schema.ts';
import { setImage } from '../render/images.ts';
import { ensurePatchEntry } from '../render/patches.ts';
import { discoverApplications } from './applications.ts';
import { buildOverlay, createBuildCache } from './build-overlay.ts';
import { walkFiles } from './glob.ts';
import { loadConfig } from './load-config.ts';
import { resolveOverlay } from './resolve-overlay.ts';

const EXAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../examples/config-repo');

/** Lines of `before` must all survive, in order, in `after`: an edit only inserts. */
function onlyInserts(before: string, after: string): boolean {
  const kept = after.split('\n');
  let at = 0;
  for (const line of before.split('\n')) {
    while (at < kept.length && kept[at] !== line) at++;
    if (at === kept.length) return false;
    at++;
  }
  return true;
}

describe('repo/example-repo', () => {
  let config: SalveConfig;
  const cache = createBuildCache();
  beforeAll(async () => {
    ({ config } = await loadConfig(EXAMPLE));
  });

  it('loads its .salve.yaml and finds its Applications', async () => {
    expect(config.environments.map((e) => [e.name, e.clusters])).toEqual([
      ['staging', ['staging']],
      ['production', ['production']],
    ]);
    const apps = await discoverApplications(EXAMPLE, config);
    expect(apps.length).toBeGreaterThanOrEqual(6);
    expect(apps.find((a) => a.name === 'checkout-production')).toMatchObject({
      cluster: 'production',
      namespace: 'checkout',
      path: 'apps/checkout/overlays/production',
    });
  });

  it('resolves checkout in production to its overlay and environment, skipping the app-of-apps roots', async () => {
    const target = { cluster: 'production', namespace: 'checkout', kind: 'Deployment', name: 'checkout' };
    const resolution = await resolveOverlay(EXAMPLE, target, { config, cache });
    expect(resolution.overlay).toBe('apps/checkout/overlays/production');
    expect(resolution.application.name).toBe('checkout-production');
    expect(resolution.environment).toEqual({ name: 'production', tier: 'production' });
    // Only the Applications deployed to the target's namespace are built when one of them matches.
    expect(resolution.considered).toEqual(['apps/checkout/overlays/production']);
  });

  describe('edits on a copy', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'salve-example-'));
      await cp(EXAMPLE, dir, { recursive: true });
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('every kustomization takes a patch entry and an image by inserting lines only, idempotently', async () => {
      const files = (await walkFiles(dir)).filter((f) => f.endsWith('kustomization.yaml'));
      expect(files.length).toBeGreaterThanOrEqual(9);
      for (const file of files) {
        const text = await readFile(join(dir, file), 'utf8');
        const patched = ensurePatchEntry(text, 'salve/x.yaml', file);
        expect(onlyInserts(text, patched), file).toBe(true);
        expect(ensurePatchEntry(patched, 'salve/x.yaml', file)).toBe(patched);
        const imaged = setImage(text, { name: 'ghcr.io/example-org/unused', newTag: '1.0' }, file);
        expect(onlyInserts(text, imaged), file).toBe(true);
        expect(setImage(imaged, { name: 'ghcr.io/example-org/unused', newTag: '1.0' }, file)).toBe(imaged);
      }
    });

    it('an image rollback in the checkout overlay renders as exactly the declared image change', async () => {
      const overlay = 'apps/checkout/overlays/production';
      const file = join(dir, overlay, 'kustomization.yaml');
      const before = await buildOverlay(dir, overlay, { cache });
      const text = await readFile(file, 'utf8');
      const notes: string[] = [];
      const rolled = setImage(text, { name: 'ghcr.io/example-org/checkout', newTag: '1.8.1' }, file, (n) =>
        notes.push(n),
      );
      // "released by the payments team" was said of 1.8.2: after the rollback it is not true, so it goes.
      expect(rolled).toBe(text.replace('newTag: 1.8.2 # released by the payments team', 'newTag: 1.8.1'));
      expect(notes).toHaveLength(1);
      await writeFile(file, rolled);
      const diff = renderedDiff(before.objects, (await buildOverlay(dir, overlay, { cache })).objects);
      expect(diff.objects).toEqual([]);
      expect(diff.fields).toHaveLength(1);
      const [change] = diff.fields;
      expect(change?.path).toMatch(/^\/spec\/template\/spec\/containers\[name=[^\]]+\]\/image$/);
      expect(change?.after).toBe('ghcr.io/example-org/checkout:1.8.1');
      const effect = {
        kind: 'Deployment',
        name: 'checkout',
        namespace: 'checkout',
        path: change?.path ?? '',
        after: change?.after,
      };
      expect(() => checkDeclaredEffects(diff, { fields: [effect], objects: [] })).not.toThrow();
    });
  });
});
