import * as fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerImageIn, manifestImageHistory } from './manifest-image-history.ts';

const FILE = 'base/deployment.yaml';
const AT = { kind: 'Deployment', name: 'api', container: 'api' };
const deployment = (api: string, sidecar = 'envoy:1.30') =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${api}\n        - name: proxy\n          image: ${sidecar}\n`;

describe('repo/manifest-image-history', () => {
  let dir: string;
  const commits: string[] = [];
  const at = (n: number) => 1_767_225_600 + n * 3600;

  async function commit(n: number, files: Record<string, string>): Promise<void> {
    for (const [path, text] of Object.entries(files)) {
      await fs.promises.mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
      await git.add({ fs, dir, filepath: path });
    }
    const who = { name: 'Dev', email: 'dev@example.com', timestamp: at(n), timezoneOffset: 0 };
    commits.push(await git.commit({ fs, dir, message: `change ${n}`, author: who, committer: who }));
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-manifest-history-'));
    await git.init({ fs, dir, defaultBranch: 'main' });
    await commit(0, { [FILE]: deployment('ghcr.io/acme/api:1.0.0') }); // 1.0.0 lands
    await commit(1, { [FILE]: deployment('ghcr.io/acme/api:1.0.0', 'envoy:1.31') }); // another container
    await commit(2, { 'README.md': 'x' }); // the file untouched
    await commit(3, { [FILE]: deployment('ghcr.io/acme/api:1.1.0', 'envoy:1.31') }); // the release
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists the distinct images of one container newest first, each with the commit and time that introduced it', async () => {
    expect(await manifestImageHistory(dir, FILE, AT)).toEqual([
      { image: 'ghcr.io/acme/api:1.1.0', commit: commits[3], time: new Date(at(3) * 1000).toISOString() },
      { image: 'ghcr.io/acme/api:1.0.0', commit: commits[0], time: new Date(at(0) * 1000).toISOString() },
    ]);
  });

  it('reads from the given ref, and stops at the depth asked', async () => {
    expect(await manifestImageHistory(dir, FILE, AT, { ref: commits[2] as string })).toEqual([
      { image: 'ghcr.io/acme/api:1.0.0', commit: commits[0], time: new Date(at(0) * 1000).toISOString() },
    ]);
    expect((await manifestImageHistory(dir, FILE, AT, { depth: 1 })).map((r) => r.image)).toEqual([
      'ghcr.io/acme/api:1.1.0',
    ]);
  });

  it('finds nothing for a container, a workload or a file the history does not hold', async () => {
    expect(await manifestImageHistory(dir, FILE, { ...AT, container: 'worker' })).toEqual([]);
    expect(await manifestImageHistory(dir, FILE, { ...AT, name: 'web' })).toEqual([]);
    expect(await manifestImageHistory(dir, 'base/missing.yaml', AT)).toEqual([]);
  });

  it('names an unknown ref in its error', async () => {
    await expect(manifestImageHistory(dir, FILE, AT, { ref: 'nope' })).rejects.toThrow(/ref nope not found/);
  });

  it('gives the 1-based line of each matching image, init containers included', () => {
    const text = `${deployment('a:1')}      initContainers:\n        - name: api\n          image: a:0\n`;
    expect(containerImageIn(text, { kind: 'Deployment', name: (n) => n === 'api', container: 'api' })).toEqual([
      { name: 'api', image: 'a:1', line: 15 },
      { name: 'api', image: 'a:0', line: 20 },
    ]);
    // Broken YAML and other kinds are skipped, not thrown.
    expect(
      containerImageIn('kind: Deployment\n  : [', { kind: 'Deployment', name: () => true, container: 'api' }),
    ).toEqual([]);
  });
});
