import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../model/errors.ts';
import { locateKustomize, runTool } from '../tools/index.ts';
import { openBlobSizes } from './blob-sizes.ts';
import { buildOverlay } from './build-overlay.ts';
import { withChanges } from './changes.ts';
import { overlayInputs } from './overlay-inputs.ts';
import { openSnapshot, type Snapshot } from './snapshot.ts';
import { listDir, readFileText, resolvePath } from './tree.ts';
import { openWordHits } from './word-hits.ts';

const run = promisify(execFile);
const TESTBEDS = join(import.meta.dirname, '../../../shared/testbeds');

async function gitRepo(files: Record<string, string>, links: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'salve-snapshot-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  for (const [path, target] of Object.entries(links)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await symlink(target, join(dir, path));
  }
  await commit(dir);
  return dir;
}

async function commit(dir: string): Promise<string> {
  const git = (...args: string[]) => run('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args]);
  if (!(await readFile(join(dir, '.git/HEAD')).catch(() => null))) await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'c');
  return (await git('rev-parse', 'HEAD')).stdout.trim();
}

async function snapshotOf(dir: string): Promise<Snapshot> {
  const head = (await run('git', ['-C', dir, 'rev-parse', 'HEAD'])).stdout.trim();
  return openSnapshot(dir, head);
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

const SETTINGS = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n';
const DEPLOYMENT =
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: web:1}]\n';

describe('repo/snapshot', () => {
  let dir: string;
  let snap: Snapshot;
  beforeAll(async () => {
    dir = await gitRepo(
      {
        'base/deployment.yaml': DEPLOYMENT,
        'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
        'overlay/kustomization.yaml': 'resources:\n  - ../base\n  - linked.yaml\nnamePrefix: prod-\n',
        'other/big.yaml': `# ${'x'.repeat(4096)}\n`,
        'shared/settings.yaml': SETTINGS,
      },
      {
        'overlay/linked.yaml': '../shared/settings.yaml',
        'overlay/shared': '../base',
        'overlay/host': '/etc/hostname',
        'overlay/up': '../../outside.yaml',
        'loop-a': 'loop-b',
        'loop-b': 'loop-a',
      },
    );
    snap = await snapshotOf(dir);
    // The working tree moves on; the snapshot does not.
    await writeFile(join(dir, 'base/deployment.yaml'), DEPLOYMENT.replace('web:1', 'web:2'));
    await writeFile(join(dir, 'base/untracked.yaml'), 'kind: ConfigMap\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads the commit, never the working tree', async () => {
    expect(await readFileText(snap, 'base/deployment.yaml')).toContain('web:1');
    expect(await readFileText(snap, 'base/untracked.yaml')).toBeNull();
    expect(snap.lookedUp.has('base/untracked.yaml')).toBe(true);
    expect((await listDir(snap, 'base')).map((e) => e.name)).toEqual(['deployment.yaml', 'kustomization.yaml']);
    expect(snap.listed.has('base')).toBe(true);
  });

  it('reads the same files whether it read them up front or not', async () => {
    const lazy = await openSnapshot(dir, snap.commit, { prefetch: false });
    expect(await readFileText(lazy, 'overlay/linked.yaml')).toBe(SETTINGS);
    await lazy.prefetch();
    await lazy.prefetch();
    expect(await readFileText(lazy, 'base/deployment.yaml')).toBe(await readFileText(snap, 'base/deployment.yaml'));
  });

  it("says which files may hold a word from the commit's own blobs, links always among them", async () => {
    const paths = (await snap.files()).map((f) => f.path).filter((p) => p.endsWith('.yaml'));
    // The working tree's untracked ConfigMap and web:2 are not the commit's.
    expect(await snap.mayContain?.(paths, ['ConfigMap'])).toEqual(['overlay/linked.yaml', 'shared/settings.yaml']);
    expect(await snap.mayContain?.(paths, ['web:2'])).toEqual(['overlay/linked.yaml']);
    expect(await snap.mayContain?.(paths, ['xxxx', 'web:1'])).toEqual([
      'base/deployment.yaml',
      'other/big.yaml',
      'overlay/linked.yaml',
    ]);
    expect(await snap.mayContain?.(['base/kustomization.yaml'], ['-e', '--'])).toEqual([]);
    expect(snap.lookedUp.has('other/big.yaml')).toBe(true);
  });

  it('answers the same with searches kept across runs, and searches only blobs it has not seen', async () => {
    const index = await mkdtemp(join(tmpdir(), 'salve-hits-'));
    const repo = await gitRepo({ 'a.yaml': 'kind: Rollout\n', 'b.yaml': 'kind: Deployment\n' });
    try {
      const paths = (await snap.files()).map((f) => f.path).filter((p) => p.endsWith('.yaml'));
      for (const words of [['ConfigMap'], ['web:2'], ['xxxx', 'web:1'], ['-e', '--']]) {
        const kept = await openSnapshot(dir, snap.commit, { hits: openWordHits(index) });
        expect(await kept.mayContain?.(paths, words)).toEqual(await snap.mayContain?.(paths, words));
      }

      const hits = openWordHits(index);
      const first = await snapshotOf(repo).then((s) => openSnapshot(repo, s.commit, { hits }));
      expect(await first.mayContain?.(['a.yaml', 'b.yaml'], ['Rollout'])).toEqual(['a.yaml']);
      hits.save();
      // The next commit changes b.yaml and adds c.yaml; a.yaml's blob is the same.
      await writeFile(join(repo, 'b.yaml'), 'kind: Rollout # now\n');
      await writeFile(join(repo, 'c.yaml'), 'kind: Service\n');
      const next = await commit(repo);
      const again = openWordHits(index);
      const a = await first.contentId('a.yaml');
      expect(again.forWords(['Rollout']).get(a)).toBe(true);
      // A kept answer is used as it is: marked otherwise, a.yaml is left out, so it was not searched again.
      again.forWords(['Rollout']).set(a, false);
      const later = await openSnapshot(repo, next, { hits: again });
      expect(await later.mayContain?.(['a.yaml', 'b.yaml', 'c.yaml'], ['Rollout'])).toEqual(['b.yaml']);
    } finally {
      await rm(index, { recursive: true, force: true });
      await rm(repo, { recursive: true, force: true });
    }
  });

  it('lists the same sizes from sizes kept by blob id, asking git only for blobs it has not seen', async () => {
    const index = await mkdtemp(join(tmpdir(), 'salve-sizes-'));
    try {
      const sizes = openBlobSizes(index);
      const kept = await openSnapshot(dir, snap.commit, { sizes });
      expect(await kept.files()).toEqual(await snap.files());
      expect(await kept.lstat('other/big.yaml')).toEqual(await snap.lstat('other/big.yaml'));
      sizes.save();
      // A kept size is used as it is: changed here, the snapshot shows it, so git was not asked again.
      const again = openBlobSizes(index);
      const big = await snap.contentId('other/big.yaml');
      expect(again.get(big)).toBe(`# ${'x'.repeat(4096)}\n`.length);
      again.set(big, 17 * 1024 * 1024);
      const next = await openSnapshot(dir, snap.commit, { sizes: again });
      expect((await next.lstat('other/big.yaml'))?.size).toBe(17 * 1024 * 1024);
      await expect(readFileText(next, 'other/big.yaml')).rejects.toThrow(ConfigError);
    } finally {
      await rm(index, { recursive: true, force: true });
    }
  });

  it('follows symbolic links that stay inside the repository, to files and directories', async () => {
    expect(await readFileText(snap, 'overlay/linked.yaml')).toBe(SETTINGS);
    expect(await resolvePath(snap, 'overlay/shared/kustomization.yaml')).toMatchObject({
      kind: 'file',
      path: 'base/kustomization.yaml',
    });
  });

  it('refuses links that leave the repository or loop, naming the link and never its target content', async () => {
    for (const [path, named] of [
      ['overlay/host', 'overlay/host'],
      ['overlay/up', 'overlay/up'],
      ['loop-a', 'loop-'],
    ] as const) {
      const err = await failure(readFileText(snap, path));
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe('symlink-outside');
      expect(err.message).toContain(named);
    }
    const hostname = await readFile('/etc/hostname', 'utf8').catch(() => '');
    const err = await failure(readFileText(snap, 'overlay/host'));
    if (hostname.trim()) expect(err.message).not.toContain(hostname.trim());
    expect((await listDir(snap, 'overlay')).filter((e) => e.kind === 'outside').map((e) => e.name)).toEqual([
      'host',
      'up',
    ]);
  });

  it('refuses a file larger than the cap from its listed size', async () => {
    const err = await failure(readFileText(snap, 'other/big.yaml', 1024));
    expect(err).toMatchObject({ code: 'file-too-large' });
    expect(err.message).toMatch(/other\/big\.yaml in commit [0-9a-f]{12} is 4\.0 KiB, more than the 1 KiB/);
  });

  it('reads the same commit through another clone once rebound, sharing what it listed and read', async () => {
    const head = (await run('git', ['-C', dir, 'rev-parse', 'HEAD'])).stdout.trim();
    const first = await openSnapshot(dir, head, { prefetch: false });
    expect(await readFileText(first, 'base/kustomization.yaml')).toBe('resources:\n  - deployment.yaml\n');
    const clone = await mkdtemp(join(tmpdir(), 'salve-snapshot-clone-'));
    try {
      await run('git', ['clone', '-q', '--no-checkout', dir, clone]);
      const rebound = first.rebind(clone);
      expect(rebound.repoDir).toBe(clone);
      expect(rebound.commit).toBe(head);
      expect(rebound.lookedUp.size).toBe(0);
      // A blob not read before comes from the clone; the listing is the commit's, not the working tree's.
      expect(await readFileText(rebound, 'shared/settings.yaml')).toBe(SETTINGS);
      expect(await readFileText(rebound, 'overlay/linked.yaml')).toBe(SETTINGS);
      expect((await rebound.files()).map((f) => f.path)).toEqual((await first.files()).map((f) => f.path));
      expect(await rebound.mayContain?.(['base/deployment.yaml', 'shared/settings.yaml'], ['Deployment'])).toEqual([
        'base/deployment.yaml',
      ]);
      expect(rebound.lookedUp.has('shared/settings.yaml')).toBe(true);
      expect(first.lookedUp.has('shared/settings.yaml')).toBe(false);
    } finally {
      await rm(clone, { recursive: true, force: true });
    }
    // With the clone gone, a blob never read fails, naming the commit; one read before is still there.
    const gone = first.rebind(clone);
    expect(await readFileText(gone, 'shared/settings.yaml')).toBe(SETTINGS);
    await expect(readFileText(gone, 'base/deployment.yaml')).rejects.toThrow();
  });

  it('builds an overlay from a scratch copy of exactly what it reads, links materialised as files', async () => {
    const inputs = await overlayInputs(snap, 'overlay');
    expect(inputs.files).toEqual([
      'base/deployment.yaml',
      'base/kustomization.yaml',
      'overlay/kustomization.yaml',
      'overlay/linked.yaml',
    ]);
    const { objects } = await buildOverlay(snap, 'overlay');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/prod-settings',
      'Deployment/prod-web',
    ]);
  });

  it('the "after" tree: changes read and built, never written through a link or outside', async () => {
    const after = await withChanges(snap, [
      { path: 'overlay/kustomization.yaml', before: null, after: 'resources:\n  - ../base\n  - extra.yaml\n' },
      { path: 'overlay/extra.yaml', before: null, after: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n' },
    ]);
    const { objects } = await buildOverlay(after, 'overlay');
    expect(objects.map((o) => o.metadata.name)).toEqual(['extra', 'web']);
    for (const path of ['overlay/shared/x.yaml', 'overlay/linked.yaml', 'x/../../escaped.yaml', '/etc/passwd']) {
      const err = await failure(withChanges(snap, [{ path, before: null, after: 'x' }]));
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).code).toBe('unsafe-path');
    }
  });

  it('the "after" tree of a deletion: the file is absent everywhere, and only a file can be deleted', async () => {
    const text = await readFileText(snap, 'base/deployment.yaml');
    const after = await withChanges(snap, [{ path: 'base/deployment.yaml', before: text, after: null }]);
    expect(await after.lstat('base/deployment.yaml')).toBeNull();
    expect(await readFileText(after, 'base/deployment.yaml')).toBeNull();
    expect(await after.children('base')).toEqual(['kustomization.yaml']);
    expect((await after.files()).map((f) => f.path)).toEqual(
      (await snap.files()).map((f) => f.path).filter((p) => p !== 'base/deployment.yaml'),
    );
    await expect(after.readResolved(['base/deployment.yaml'])).rejects.toThrow(/not a file/);
    // What is left still builds as it did, without the file: kustomize names the missing resource.
    await expect(buildOverlay(after, 'overlay')).rejects.toThrow(/deployment\.yaml/);
    for (const path of ['overlay/linked.yaml', 'base', 'overlay/none.yaml']) {
      const err = await failure(withChanges(snap, [{ path, before: 'x', after: null }]));
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).code).toBe('unsafe-path');
    }
  });
});

describe('repo/snapshot on a crafted commit', () => {
  let root: string;
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('a tree entry named .. (git mktree takes it) is no part of the snapshot', async () => {
    root = await mkdtemp(join(tmpdir(), 'salve-crafted-'));
    const dir = join(root, 'repo');
    await mkdir(dir);
    const git = async (input: string, ...args: string[]) => {
      const child = execFile('git', ['-C', dir, ...args]);
      // A command that reads no input may exit before it is written: that EPIPE is no failure.
      child.stdin?.on('error', () => {});
      child.stdin?.end(input);
      let out = '';
      child.stdout?.on('data', (d) => {
        out += d;
      });
      await new Promise((r) => child.on('close', r));
      return out.trim();
    };
    await git('', 'init', '-q');
    const blob = await git('ESCAPED\n', 'hash-object', '-w', '--stdin');
    const inner = await git(`100644 blob ${blob}\tESCAPED\n`, 'mktree');
    const top = await git(`040000 tree ${inner}\t..\n100644 blob ${blob}\tok.yaml\n`, 'mktree');
    const commit = await git('crafted\n', '-c', 'user.name=m', '-c', 'user.email=m@e', 'commit-tree', top);
    const snap = await openSnapshot(dir, commit);
    expect((await snap.files()).map((f) => f.path)).toEqual(['ok.yaml']);
    expect(await readFileText(snap, '../ESCAPED')).toBeNull();
    expect(await readFileText(snap, 'ok.yaml')).toBe('ESCAPED\n');
  });
});

describe('repo/overlay-inputs refusals', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses references outside the repository and remote ones whose host is not allowed', async () => {
    dir = await gitRepo({
      'up/kustomization.yaml': 'resources:\n  - ../../../etc\n',
      'abs/kustomization.yaml': 'configMapGenerator:\n  - name: x\n    files: [/etc/passwd]\n',
      'remote/kustomization.yaml': 'resources:\n  - https://example.org/deploy.yaml\n',
      'gh/kustomization.yaml': 'resources:\n  - github.com/org/repo//deploy?ref=v1\n',
      'file/kustomization.yaml': 'resources:\n  - file:///srv/other-repo\n',
      'scp/kustomization.yaml': 'resources:\n  - git@gitlab.example.org:org/repo.git\n',
    });
    const snap = await snapshotOf(dir);
    const code = async (overlay: string, remoteHosts: string[] = []) =>
      ((await failure(overlayInputs(snap, overlay, { remoteHosts }))) as ConfigError).code;
    expect(await code('up')).toBe('outside-repo');
    expect(await code('abs')).toBe('outside-repo');
    expect(await code('remote')).toBe('remote-resource');
    expect(await code('gh', ['example.org'])).toBe('remote-resource');
    expect(await code('file', [''])).toBe('remote-resource');
    expect(await code('scp')).toBe('remote-resource');
    expect((await overlayInputs(snap, 'remote', { remoteHosts: ['Example.org'] })).remotes).toEqual([
      { url: 'https://example.org/deploy.yaml', host: 'example.org', from: 'remote/kustomization.yaml' },
    ]);
    expect((await overlayInputs(snap, 'gh', { remoteHosts: ['github.com'] })).remotes).toHaveLength(1);
  });
});

/** The first roots of every test bed: a scratch build renders byte for byte what kustomize renders in place. */
describe('repo/build-overlay from a commit, on real repos', () => {
  const beds = ['aks-store', 'eks-workshop', 'flagger', 'gke-samples', 'kubeflow'];
  for (const bed of beds) {
    it(`${bed}: the same manifests as kustomize in the checkout`, async () => {
      const source = await readFile(join(TESTBEDS, bed, 'SOURCE.md'), 'utf8');
      const roots = (/```roots\n([\s\S]*?)```/.exec(source)?.[1] ?? '').split('\n').filter(Boolean).slice(0, 3);
      const copy = await mkdtemp(join(tmpdir(), `salve-bed-${bed}-`));
      try {
        await cp(join(TESTBEDS, bed), copy, { recursive: true, verbatimSymlinks: true });
        await commit(copy);
        const snap = await snapshotOf(copy);
        for (const root of roots) {
          const direct = await runTool(locateKustomize(), ['build', root], { cwd: copy });
          expect((await buildOverlay(snap, root)).yaml, root).toBe(direct.stdout);
        }
      } finally {
        await rm(copy, { recursive: true, force: true });
      }
    });
  }
});
