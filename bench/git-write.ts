/**
 * salve's git write — branch, OpenPGP-signed commit, push over smart HTTP — against the git CLI
 * doing the same two ways, interleaved (salve, index, trees, salve, …), on the example repo and on a
 * generated 100,000-file repo: plumbing into a temp index (`read-tree`, `update-index`,
 * `write-tree`: what a script usually does, its cost grows with the repo), and plumbing that writes
 * only the trees on the changed paths (`ls-tree` + `mktree` per directory: the fastest the CLI
 * goes without an index). Both then `commit-tree -S` with the same key through gpg, `update-ref`
 * and push to the same server.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDemoWorld } from '../engine/demo/setup.ts';
import type { FileChange } from '../engine/model/index.ts';
import type { PublishRequest } from '../engine/model/remediation.ts';
import { createBareRemote, publishLocal, repoPath, startGitServer } from '../engine/publish/index.ts';
import { generateSigningIdentity } from '../engine/publish/pgp.ts';
import { type Figure, median, ratio, rounds, seconds, timed } from './stats.ts';

const run = promisify(execFile);
const FILES = 100_000;

async function sh(cmd: string, args: string[], env: Record<string, string> = {}, input?: string): Promise<string> {
  const child = run(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  if (input !== undefined) child.child.stdin?.end(input);
  return (await child).stdout.trim();
}

/** `files` files: apps with a base (5 files) and two overlays (2 files each), committed with the git CLI. */
export async function generateRepo(dir: string, files: number): Promise<void> {
  const perApp = 9;
  for (let app = 0; app * perApp < files; app++) {
    const name = `svc-${String(app).padStart(4, '0')}`;
    const base = join(dir, 'apps', name, 'base');
    await mkdir(base, { recursive: true });
    await writeFile(
      join(base, 'kustomization.yaml'),
      'resources:\n  - deployment.yaml\n  - service.yaml\n  - hpa.yaml\n  - configmap.yaml\n',
    );
    await writeFile(
      join(base, 'deployment.yaml'),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: registry.example.org/${name}:1.0.${app}\n`,
    );
    await writeFile(join(base, 'service.yaml'), `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n`);
    await writeFile(
      join(base, 'hpa.yaml'),
      `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: ${name}\nspec:\n  maxReplicas: ${3 + (app % 7)}\n`,
    );
    await writeFile(
      join(base, 'configmap.yaml'),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  id: "${app}"\n`,
    );
    for (const env of ['staging', 'production']) {
      const overlay = join(dir, 'apps', name, 'overlays', env);
      await mkdir(overlay, { recursive: true });
      await writeFile(
        join(overlay, 'kustomization.yaml'),
        `namespace: ${env}\nresources:\n  - ../../base\npatches:\n  - path: replicas.yaml\n`,
      );
      await writeFile(
        join(overlay, 'replicas.yaml'),
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  replicas: ${env === 'production' ? 3 : 1}\n`,
      );
    }
  }
  const id = {
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@example.org',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@example.org',
  };
  await sh('git', ['-C', dir, 'init', '-q', '-b', 'main']);
  // Packed below, as a clone is, and never behind the bench's back: a detached `gc --auto` after
  // the commit made timings depend on when it ran, and raced the removal of the repo.
  await sh('git', ['-C', dir, 'config', 'gc.auto', '0']);
  await sh('git', ['-C', dir, 'add', '-A']);
  await sh('git', ['-C', dir, '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'generated config repo'], id);
  await sh('git', ['-C', dir, 'gc', '-q']);
}

export function request(base: string, branch: string, changed: FileChange): PublishRequest {
  const id = branch.replace('salve/', '');
  const dir = `.salve/remediations/${id}`;
  const files: FileChange[] = [
    changed,
    { path: `${dir}/explanation.md`, before: null, after: `# ${branch}\n` },
    { path: `${dir}/proof.json`, before: null, after: '{"bench":true}\n' },
    { path: `${dir}/proof.dsse.json`, before: null, after: '{"payload":""}\n' },
  ];
  return {
    id,
    branch,
    baseCommit: base,
    baseBranch: 'main',
    files,
    commitMessage: `bench: ${branch}\n`,
    pr: { title: branch, body: '', labels: [] },
    metadata: {
      version: 1,
      id,
      fingerprint: '0'.repeat(64),
      action: 'raise-memory-limit',
      mode: 'approve',
      target: { cluster: 'c', namespace: 'n', kind: 'Deployment', name: 'x' },
      overlay: 'o',
      baseCommit: base,
      proofDigest: 'sha256:0',
      occurrences: 1,
      lastSeen: '2025-01-01T00:00:00Z',
    },
  };
}

/** Commit, signed by gpg with the same key, then the branch and the push, as both CLI references do. */
async function commitAndPush(
  work: string,
  env: Record<string, string>,
  keyId: string,
  req: PublishRequest,
  tree: string,
) {
  const commit = await sh(
    'git',
    ['-C', work, 'commit-tree', `-S${keyId}`, '-p', req.baseCommit, '-m', req.commitMessage, tree],
    env,
  );
  await sh('git', ['-C', work, 'update-ref', `refs/heads/${req.branch}`, commit], env);
  await sh('git', ['-C', work, 'push', '-q', 'origin', `refs/heads/${req.branch}`], env);
}

const cliEnv = (gnupg: string) => ({
  GNUPGHOME: gnupg,
  GIT_AUTHOR_NAME: 'salve',
  GIT_AUTHOR_EMAIL: 'salve@example.org',
  GIT_COMMITTER_NAME: 'salve',
  GIT_COMMITTER_EMAIL: 'salve@example.org',
});

/**
 * The git CLI writing only the trees on the changed paths: per directory, bottom up, its entries
 * at the base (`ls-tree`) with the changed ones replaced, into `mktree`.
 */
export async function gitCliTreesPublish(work: string, gnupg: string, keyId: string, req: PublishRequest) {
  const env = cliEnv(gnupg);
  const edits = new Map<string, Map<string, string>>([['', new Map()]]);
  const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
  const edit = (path: string, line: string) => {
    const dir = dirOf(path);
    if (!edits.has(dir)) {
      edits.set(dir, new Map());
      if (dir !== '') edit(dir, '');
    }
    if (line !== '') (edits.get(dir) as Map<string, string>).set(path.slice(dir.length ? dir.length + 1 : 0), line);
  };
  for (const f of req.files) {
    const blob = await sh('git', ['-C', work, 'hash-object', '-w', '--stdin'], env, f.after ?? '');
    edit(f.path, `100644 blob ${blob}`);
  }
  // Deepest directories first, so each parent sees its children's new trees.
  const dirs = [...edits.keys()].sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? 1 : -1));
  let root = '';
  for (const dir of dirs) {
    const listing = await sh('git', ['-C', work, 'ls-tree', '-z', `${req.baseCommit}:${dir}`], env).catch(() => '');
    const entries = new Map<string, string>();
    for (const record of listing.split('\0').filter(Boolean)) {
      const tab = record.indexOf('\t');
      entries.set(record.slice(tab + 1), record.slice(0, tab));
    }
    for (const [name, line] of edits.get(dir) as Map<string, string>) entries.set(name, line);
    const input = [...entries].map(([name, line]) => `${line}\t${name}\0`).join('');
    const tree = await sh('git', ['-C', work, 'mktree', '-z'], env, input);
    if (dir === '') root = tree;
    else edit(dir, `040000 tree ${tree}`);
  }
  await commitAndPush(work, env, keyId, req, root);
}

/** The git CLI's equivalent of one publish through a temp index: same files, same key, same server. */
export async function gitCliPublish(work: string, gnupg: string, keyId: string, req: PublishRequest): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'salve-bench-index-'));
  const env = { ...cliEnv(gnupg), GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    await sh('git', ['-C', work, 'read-tree', req.baseCommit], env);
    for (const f of req.files) {
      const blob = await sh('git', ['-C', work, 'hash-object', '-w', '--stdin'], env, f.after ?? '');
      await sh('git', ['-C', work, 'update-index', '--add', '--cacheinfo', `100644,${blob},${f.path}`], env);
    }
    const tree = await sh('git', ['-C', work, 'write-tree'], env);
    await commitAndPush(work, env, keyId, req, tree);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function compare(
  label: string,
  work: string,
  base: string,
  changedPath: string,
  root: string,
  goal?: number,
): Promise<Figure[]> {
  const remotes = join(root, 'remotes');
  await mkdir(remotes, { recursive: true });
  const server = await startGitServer(remotes);
  try {
    const bare = join(remotes, 'bench.git');
    await createBareRemote(work, bare, server.url(repoPath(remotes, bare)), { seed: true });
    // Both sides know what the remote has, so neither pushes the whole tree.
    await sh('git', ['-C', work, 'fetch', '-q', 'origin']);
    const identity = await generateSigningIdentity({ name: 'salve bench', email: 'salve@example.org' });
    const gnupg = join(root, 'gnupg');
    await mkdir(gnupg, { mode: 0o700 });
    await sh('gpg', ['--batch', '--quiet', '--import'], { GNUPGHOME: gnupg }, identity.armoredPrivateKey);
    const before = (await run('git', ['-C', work, 'show', `${base}:${changedPath}`])).stdout;
    const change = (i: number): FileChange => ({ path: changedPath, before, after: `${before}# bench ${i}\n` });
    const publish = (i: number) =>
      publishLocal(request(base, `salve/bench-${i}`, change(i)), {
        dir: work,
        author: { name: 'salve', email: 'salve@example.org' },
        signing: identity,
        remote: 'origin',
        now: new Date(),
      });
    const cliPublish = (i: number) =>
      gitCliPublish(work, gnupg, identity.fingerprint, request(base, `salve/cli-${i}`, change(i + 100)));
    const treesPublish = (i: number) =>
      gitCliTreesPublish(work, gnupg, identity.fingerprint, request(base, `salve/trees-${i}`, change(i + 200)));
    await publish(1000);
    await cliPublish(1000);
    await treesPublish(1000);
    const n = rounds();
    const runs = { salve: [] as number[], index: [] as number[], trees: [] as number[] };
    for (let i = 0; i < n; i++) {
      runs.salve.push(await timed(publish)(i));
      runs.index.push(await timed(cliPublish)(i));
      runs.trees.push(await timed(treesPublish)(i));
    }
    const salve = median(runs.salve);
    const index = median(runs.index);
    const trees = median(runs.trees);
    return [
      ratio(
        `git write: salve / git CLI through an index (${label})`,
        salve,
        index,
        `median ${seconds(salve)} vs ${seconds(index)}: branch, signed commit, push; ${n} rounds`,
        goal,
      ),
      ratio(
        `git write: salve / git CLI writing only the changed trees (${label})`,
        salve,
        trees,
        `median ${seconds(salve)} vs ${seconds(trees)}: ls-tree + mktree per changed directory; ${n} rounds`,
        goal,
      ),
    ];
  } finally {
    await server.close();
  }
}

export async function benchGitWrite(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const world = await createDemoWorld({ remote: false });
  try {
    figures.push(
      ...(await compare(
        'example repo',
        world.work,
        world.head,
        'apps/checkout/overlays/production/kustomization.yaml',
        world.root,
      )),
    );
  } finally {
    await world.close();
  }
  const root = await mkdtemp(join(tmpdir(), 'salve-bench-100k-'));
  try {
    const work = join(root, 'config');
    await mkdir(work);
    await generateRepo(work, FILES);
    const head = await sh('git', ['-C', work, 'rev-parse', 'HEAD']);
    figures.push(
      ...(await compare(
        'generated 100,000-file repo',
        work,
        head,
        'apps/svc-1234/overlays/production/kustomization.yaml',
        root,
        1,
      )),
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return figures;
}
