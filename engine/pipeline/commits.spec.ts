import { execFile } from 'node:child_process';
import { appendFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_REPO } from '../demo/setup.ts';
import { silentLogger } from '../telemetry/logger.ts';
import { type CommitLease, createCommitCache, createCommitMemo } from './commits.ts';
import { type CommitAssets, prepareAssets } from './run.ts';

let BUNDLES = '';

const run = promisify(execFile);
const git = (dir: string, ...args: string[]) =>
  run('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'commit.gpgsign=false', ...args]);

/** prepareAssets, counting the runs and the disposals of what it prepared. */
function countedAssets() {
  const counts = { prepared: 0, disposed: 0 };
  const prepare = async (base: Parameters<typeof prepareAssets>[0]): Promise<CommitAssets> => {
    const assets = await prepareAssets(base, { bundlesDir: BUNDLES });
    counts.prepared++;
    return {
      ...assets,
      dispose: async () => {
        counts.disposed++;
        await assets.dispose();
      },
    };
  };
  return { counts, prepare };
}

describe('pipeline/commits', () => {
  let root: string;
  let origin: string;
  let clone: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'salve-commits-'));
    BUNDLES = join(root, 'bundles');
    origin = join(root, 'origin');
    await cp(EXAMPLE_REPO, origin, { recursive: true });
    await git(origin, 'init', '-q', '-b', 'main');
    await git(origin, 'add', '-A');
    await git(origin, 'commit', '-q', '-m', 'example');
    clone = join(root, 'clone');
    await run('git', ['clone', '-q', origin, clone]);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('keeps a commit across runs and clones, and opens a new commit afresh', async () => {
    const { counts, prepare } = countedAssets();
    const cache = createCommitCache({ max: 4, log: silentLogger(), prepare });
    const first = await cache.acquire(origin);
    const assets = await first.assets();
    const apps = await first.base.applications();
    expect(apps.length).toBeGreaterThan(0);
    await first.release();

    // A fresh clone of the same commit: the kept config, Applications and policy, read through the clone.
    const again = await cache.acquire(clone);
    expect(again.base.head.commit).toBe(first.base.head.commit);
    expect(again.base.snapshot.repoDir).toBe(clone);
    expect(again.base.config).toBe(first.base.config);
    expect(await again.base.applications()).toBe(apps);
    expect(await again.assets()).toBe(assets);
    expect(again.memo).toBe(first.memo);
    await again.release();
    expect(counts).toEqual({ prepared: 1, disposed: 0 });

    // A new commit is a new entry: what it changed is read, nothing is carried over.
    await appendFile(join(origin, '.salve.yaml'), '\nkustomize:\n  remoteHosts: [example.org]\n');
    await git(origin, 'commit', '-q', '-am', 'remote hosts');
    const moved = await cache.acquire(origin);
    expect(moved.base.head.commit).not.toBe(first.base.head.commit);
    expect(moved.base.config.kustomize.remoteHosts).toEqual(['example.org']);
    expect(first.base.config.kustomize.remoteHosts).toEqual([]);
    expect(moved.memo).not.toBe(first.memo);
    expect(await moved.assets()).not.toBe(assets);
    await moved.release();
    expect(counts).toEqual({ prepared: 2, disposed: 0 });

    await cache.close();
    expect(counts).toEqual({ prepared: 2, disposed: 2 });
    await git(origin, 'reset', '-q', '--hard', 'HEAD~1');
  });

  it('disposes what it pushes out, after the last run holding it lets it go', async () => {
    const { counts, prepare } = countedAssets();
    const cache = createCommitCache({ max: 1, log: silentLogger(), prepare });
    const held: CommitLease = await cache.acquire(origin);
    await held.assets();
    await writeFile(join(clone, 'README.md'), 'another commit\n');
    await git(clone, 'commit', '-q', '-am', 'readme');
    const other = await cache.acquire(clone);
    await other.assets();
    // The first commit is pushed out, but a run still holds it: its policy stays usable.
    expect(counts).toEqual({ prepared: 2, disposed: 0 });
    expect(held.base.config).toBeDefined();
    await held.release();
    expect(counts).toEqual({ prepared: 2, disposed: 1 });
    await other.release();
    expect(counts.disposed).toBe(1);
    await cache.close();
    expect(counts.disposed).toBe(2);
    await git(clone, 'reset', '-q', '--hard', 'HEAD~1');
  });

  it('keeps no failure: a commit whose policy does not prepare is prepared again by the next run', async () => {
    let calls = 0;
    const cache = createCommitCache({
      max: 4,
      log: silentLogger(),
      prepare: async (base) => {
        calls++;
        if (calls === 1) throw new Error('opa is not there yet');
        return prepareAssets(base, { bundlesDir: BUNDLES });
      },
    });
    const first = await cache.acquire(origin);
    await expect(first.assets()).rejects.toThrow('opa is not there yet');
    await first.release();
    const second = await cache.acquire(origin);
    await expect(second.assets()).resolves.toMatchObject({ policy: { evaluator: expect.anything() } });
    await second.release();
    expect(calls).toBe(2);
    await cache.close();
  });

  it('memo: one answer per key while it holds, failures asked again, the oldest key pushed out', async () => {
    const memo = createCommitMemo(2);
    let made = 0;
    const make = async () => ++made;
    expect(await memo.once('a', make)).toBe(1);
    expect(await memo.once('a', make)).toBe(1);
    await expect(memo.once('b', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await memo.once('b', make)).toBe(2);
    expect(await memo.once('c', make)).toBe(3);
    // a is the oldest of three: asked again.
    expect(await memo.once('a', make)).toBe(4);
  });
});
