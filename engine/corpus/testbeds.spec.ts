import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bumpTags, nextTag } from './tag-bump.ts';
import { buildArgsOf, inferRoots, rootsBlock } from './testbeds.ts';

let dir = '';
afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

describe('corpus/testbeds', () => {
  it('reads the roots block and the build arguments of a SOURCE.md', () => {
    const md =
      'text\n\n```roots\napps/a\n# not this\n\napps/b\n```\n\nBuild arguments for every root of this test bed: `--load-restrictor LoadRestrictionsNone`.\n';
    expect(rootsBlock(md)).toEqual(['apps/a', 'apps/b']);
    expect(rootsBlock('no block')).toBeNull();
    expect(buildArgsOf(md)).toEqual(['--load-restrictor', 'LoadRestrictionsNone']);
  });

  it('infers roots: kustomizations no other kustomization reaches', async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-roots-'));
    const files: Record<string, string> = {
      'base/kustomization.yaml': 'resources: [d.yaml]\n',
      'overlays/dev/kustomization.yaml': 'resources: [../../base]\n',
      'overlays/prod/kustomization.yaml': 'bases: [../../base]\ncomponents: [../../components/x]\n',
      'components/x/kustomization.yaml': 'kind: Component\n',
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    expect(await inferRoots(dir)).toEqual(['overlays/dev', 'overlays/prod']);
  });
});

describe('corpus/tag-bump', () => {
  it('bumps the last number of a tag, keeping its width and quotes', () => {
    expect(nextTag('1.44.0')).toBe('1.44.1');
    expect(nextTag('v0.19')).toBe('v0.20');
    expect(nextTag('2024.09-rc')).toBe('2024.10-rc');
    expect(nextTag('latest')).toBe('latest.1');
    expect(bumpTags("images:\n  - name: a\n    newTag: '1.2.3' # pinned\n  - name: b\n    digest: sha256:x\n")).toBe(
      "images:\n  - name: a\n    newTag: '1.2.4' # pinned\n  - name: b\n    digest: sha256:x\n",
    );
  });
});
