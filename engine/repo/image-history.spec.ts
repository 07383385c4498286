import * as fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setImage } from '../render/images.ts';
import { imageHistory } from './image-history.ts';

const FILE = 'apps/api/overlays/production/kustomization.yaml';
const IMAGE = 'ghcr.io/acme/api';
const BASE =
  'resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: "1.0.0"\n  - name: redis\n    newTag: "7"\n';

describe('repo/image-history', () => {
  let dir: string;
  const commits: string[] = [];
  const at = (n: number) => 1_767_225_600 + n * 3600;

  async function commit(text: string, n: number, extra?: [string, string]): Promise<void> {
    await writeFile(join(dir, FILE), text);
    await git.add({ fs, dir, filepath: FILE });
    if (extra) {
      await writeFile(join(dir, extra[0]), extra[1]);
      await git.add({ fs, dir, filepath: extra[0] });
    }
    const who = { name: 'Dev', email: 'dev@example.com', timestamp: at(n), timezoneOffset: 0 };
    commits.push(await git.commit({ fs, dir, message: `change ${n}`, author: who, committer: who }));
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-history-'));
    await git.init({ fs, dir, defaultBranch: 'main' });
    await fs.promises.mkdir(join(dir, 'apps/api/overlays/production'), { recursive: true });
    await commit(BASE, 0); // 1.0.0 lands
    await commit(setImage(BASE, { name: 'redis', newTag: '7.2' }), 1); // another image: no new value
    await commit(setImage(BASE, { name: 'redis', newTag: '7.2' }), 2, ['README.md', 'x']); // file untouched
    await commit(setImage(setImage(BASE, { name: 'redis', newTag: '7.2' }), { name: IMAGE, newTag: '1.1.0' }), 3);
    const pinned = setImage(BASE, { name: IMAGE, digest: `sha256:${'b'.repeat(64)}` });
    await commit(pinned, 4);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists distinct successive values newest first, with the field that pinned each, with the commit and time that introduced each', async () => {
    expect(await imageHistory(dir, FILE, IMAGE)).toEqual([
      {
        tag: `sha256:${'b'.repeat(64)}`,
        field: 'digest',
        commit: commits[4],
        time: new Date(at(4) * 1000).toISOString(),
      },
      { tag: '1.1.0', field: 'newTag', commit: commits[3], time: new Date(at(3) * 1000).toISOString() },
      { tag: '1.0.0', field: 'newTag', commit: commits[0], time: new Date(at(0) * 1000).toISOString() },
    ]);
  });

  it('follows another image, a ref and a depth', async () => {
    expect((await imageHistory(dir, FILE, 'redis')).map((r) => [r.tag, r.commit])).toEqual([
      ['7', commits[4]],
      ['7.2', commits[1]],
      ['7', commits[0]],
    ]);
    const fromThird = await imageHistory(dir, FILE, IMAGE, { ref: commits[3] as string });
    expect(fromThird.map((r) => r.tag)).toEqual(['1.1.0', '1.0.0']);
    expect((await imageHistory(dir, FILE, IMAGE, { depth: 2 })).map((r) => r.tag)).toEqual([
      `sha256:${'b'.repeat(64)}`,
      '1.1.0',
    ]);
  });

  it('is empty for an image or file the history never had', async () => {
    expect(await imageHistory(dir, FILE, 'nginx')).toEqual([]);
    expect(await imageHistory(dir, 'nowhere/kustomization.yaml', IMAGE)).toEqual([]);
  });
});
