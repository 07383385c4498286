/**
 * `salve plan` and `salve explain` as a user runs them (the compiled CLI, the real pipeline, the
 * system git): a dry run that writes nothing, pushes to a bare path remote and to git http-backend,
 * --no-push and --remote, a rejecting remote, reruns that change nothing, a branch a human took
 * over, and who authors the commit.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import { privateKeyPem } from '../../engine/policy/index.ts';
import { locateKustomize } from '../../engine/tools/index.ts';
import { salve } from './run.ts';
import { treeSnapshot } from './tree-snapshot.ts';

const exec = promisify(execFile);
const HPA = join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json');
/** One branch per workload: the HPA's raise lands on its Deployment's branch. */
const BRANCH = /^salve\/deployment-checkout-[0-9a-f]{10}$/;

async function git(cwd: string, ...args: string[]): Promise<string> {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.org' };
  const { stdout } = await exec('git', args, {
    cwd,
    env: { ...env, GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.org' },
  });
  return stdout.trim();
}

let world: DemoWorld;
let keys: Record<string, string>;
let scratch: string;

async function newWorld(remote = false): Promise<void> {
  world = await createDemoWorld({ remote });
  keys = { SALVE_SIGNING_KEY: privateKeyPem(world.signingKey), SALVE_GPG_PRIVATE_KEY: world.pgp.armoredPrivateKey };
}

/** A bare repo at a plain path, added as `name`, holding main. */
async function pathRemote(name = 'origin'): Promise<string> {
  const bare = join(scratch, `${name}.git`);
  await git(scratch, 'init', '--bare', '--quiet', '--initial-branch=main', bare);
  await git(world.work, 'remote', 'add', name, bare);
  await git(world.work, 'push', '--quiet', name, 'main');
  return bare;
}

function plan(args: string[], env: Record<string, string> = keys) {
  return salve(['plan', '--signal', HPA, ...args], { env, cwd: world.work });
}

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'salve-plan-cli-'));
});
afterEach(async () => {
  await world?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('salve plan', () => {
  it('--dry-run prints the PR, the kustomization diff and the rendered diff, and writes nothing, keys or not', async () => {
    await newWorld();
    const before = await treeSnapshot(world.work);
    const run = await plan(['--dry-run'], {});
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(
      /dry run {3}nothing written; without --dry-run salve would commit branch salve\/\S+ on [0-9a-f]{12} \(4 files\) and push it/,
    );
    expect(out).toContain('proof signed with a throw-away key');
    expect(out).toMatch(
      /── pull request ─+\nsalve: raise maxReplicas of HorizontalPodAutoscaler\/checkout from 3 to 5 \(staging\)\n\n/,
    );
    expect(out).toContain('## Why allowed');
    expect(out).toMatch(
      /── kustomization diff ─+\n--- a\/apps\/checkout\/overlays\/staging\/kustomization.yaml\n\+\+\+ b\/apps\/checkout\/overlays\/staging\/kustomization.yaml\n/,
    );
    expect(out).toMatch(
      /── rendered diff ─+\n--- kustomize build apps\/checkout\/overlays\/staging \(base [0-9a-f]{12}\)\n/,
    );
    expect(out).toContain('\n-  maxReplicas: 3\n+  maxReplicas: 5\n');
    expect(await treeSnapshot(world.work)).toEqual(before);

    const json = await plan(['--dry-run', '--json'], keys);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({ dryRun: true, outcome: 'publish', branch: null, commit: null, pushed: false });
    expect(result.pullRequest.title).toBe(
      'salve: raise maxReplicas of HorizontalPodAutoscaler/checkout from 3 to 5 (staging)',
    );
    expect(result.renderedDiff).toContain('+  maxReplicas: 5');
    expect(result.records).toHaveLength(3);
    expect(result.proofKey).toBeUndefined();
    expect(await treeSnapshot(world.work)).toEqual(before);

    // `--signal -` reads the payload from stdin (piped from amtool or curl).
    const piped = await salve(['plan', '--dry-run', '--json', '--signal', '-'], {
      env: keys,
      cwd: world.work,
      input: await readFile(HPA, 'utf8'),
    });
    expect(JSON.parse(piped.stdout)).toMatchObject({
      id: result.id,
      fileDiff: result.fileDiff,
      renderedDiff: result.renderedDiff,
    });
  });

  it('--dry-run answers from the policy bundle and renders an earlier plan kept, and adds to neither', async () => {
    await newWorld();
    // kustomize through a wrapper that counts its builds; opa only where the first plan can find it.
    const calls = join(scratch, 'kustomize-calls');
    const wrapper = join(scratch, 'kustomize');
    await writeFile(wrapper, `#!/bin/sh\necho "$*" >> '${calls}'\nexec '${locateKustomize().command}' "$@"\n`, {
      mode: 0o755,
    });
    const caches = {
      SALVE_KUSTOMIZE: wrapper,
      SALVE_BUNDLES_DIR: join(scratch, 'bundles'),
      SALVE_RENDERS_DIR: join(scratch, 'renders'),
    };
    const builds = async () =>
      (await readFile(calls, 'utf8').catch(() => '')).split('\n').filter((l) => l.startsWith('build')).length;
    expect((await plan(['--no-push', '--json'], { ...keys, ...caches })).code).toBe(0);
    expect(await builds()).toBe(3);
    const kept = async () => ({
      bundles: await treeSnapshot(caches.SALVE_BUNDLES_DIR),
      renders: await treeSnapshot(caches.SALVE_RENDERS_DIR),
    });
    const before = await kept();
    expect([...before.bundles.keys()].filter((k) => k.endsWith('.tar.gz'))).toHaveLength(1);
    expect([...before.renders.keys()].filter((k) => k.endsWith('.render')).length).toBeGreaterThan(0);
    // No opa at all: the bundle must come from the cache. One build: the change (the base and what
    // its patches see are kept); the rendered diff shown is of the builds the plan judged.
    const dry = await plan(['--dry-run', '--json'], { ...caches, SALVE_OPA: join(scratch, 'no-opa') });
    expect(dry.stderr).toBe('');
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, outcome: 'publish' });
    expect(await builds()).toBe(3 + 1);
    expect(await kept()).toEqual(before);
    // With nothing kept a dry run builds what the real plan built (3), shows them, and keeps nothing.
    const empty = {
      ...caches,
      SALVE_BUNDLES_DIR: join(scratch, 'bundles-2'),
      SALVE_RENDERS_DIR: join(scratch, 'renders-2'),
    };
    expect((await plan(['--dry-run', '--json'], empty)).code).toBe(0);
    expect(await builds()).toBe(4 + 3);
    await expect(readdir(empty.SALVE_BUNDLES_DIR)).rejects.toThrow(/ENOENT/);
    await expect(readdir(empty.SALVE_RENDERS_DIR)).rejects.toThrow(/ENOENT/);
  });

  it("pushes with the user's git to a bare path remote; a rerun leaves the branch and the remote unchanged", async () => {
    await newWorld();
    const bare = await pathRemote();
    const first = await plan(['--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const made = JSON.parse(first.stdout);
    expect(made).toMatchObject({ outcome: 'publish', pushed: true, unchanged: false, frozen: null });
    expect(made.branch).toMatch(BRANCH);
    expect(await git(scratch, '--git-dir', bare, 'rev-parse', `refs/heads/${made.branch}`)).toBe(made.commit);
    const refsBefore = await git(scratch, '--git-dir', bare, 'for-each-ref');

    const again = await plan([]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`branch    ${made.branch} @ ${made.commit.slice(0, 12)} (unchanged)`);
    expect(await git(world.work, 'rev-parse', made.branch)).toBe(made.commit);
    expect(await git(scratch, '--git-dir', bare, 'for-each-ref')).toBe(refsBefore);
  });

  it('--no-push commits locally only; --remote pushes to the remote it names', async () => {
    await newWorld();
    const origin = await pathRemote();
    const upstream = await pathRemote('upstream');
    const local = JSON.parse((await plan(['--no-push', '--json'])).stdout);
    expect(local).toMatchObject({ pushed: false, unchanged: false });
    expect(await git(world.work, 'rev-parse', local.branch)).toBe(local.commit);
    expect(await git(scratch, '--git-dir', origin, 'for-each-ref', 'refs/heads/salve')).toBe('');

    const pushed = await plan(['--remote', 'upstream']);
    expect(pushed.stdout).toContain('(unchanged, pushed)');
    expect(await git(scratch, '--git-dir', upstream, 'rev-parse', `refs/heads/${local.branch}`)).toBe(local.commit);
    expect(await git(scratch, '--git-dir', origin, 'for-each-ref', 'refs/heads/salve')).toBe('');

    const missing = await plan(['--remote', 'nowhere']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('salve plan: remote nowhere is not configured (have: origin, upstream)\n');
  });

  it('pushes over smart HTTP to git http-backend with the system git', async () => {
    await newWorld(true);
    const run = await plan(['--json']);
    expect(run.code).toBe(0);
    const made = JSON.parse(run.stdout);
    expect(made).toMatchObject({ pushed: true, unchanged: false });
    expect(await git(scratch, '--git-dir', world.bare, 'rev-parse', `refs/heads/${made.branch}`)).toBe(made.commit);
  });

  it('keeps the branch when the remote rejects the push, says so (exit 1), and pushes it on the next run', async () => {
    await newWorld();
    const bare = await pathRemote();
    const hook = join(bare, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "protected: no salve branches" >&2\nexit 1\n', { mode: 0o755 });
    const run = await plan([]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^salve plan: push to origin failed: git push failed: .*protected: no salve branches/);
    const branch = /local branch (salve\/\S+) \(([0-9a-f]{12})\)/.exec(run.stderr);
    expect(branch).not.toBeNull();
    expect(run.stderr).toContain(`push it yourself: git push origin ${branch?.[1]}`);
    expect((await git(world.work, 'rev-parse', branch?.[1] as string)).slice(0, 12)).toBe(branch?.[2]);
    expect(run.stderr).not.toContain('internal error');

    await rm(hook);
    const retry = await plan([]);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('(unchanged, pushed)');
  });

  it('a human commit on the local salve branch freezes it: said, exit 0, left as it is', async () => {
    await newWorld();
    const made = JSON.parse((await plan(['--json', '--no-push'])).stdout);
    await git(world.work, 'checkout', '--quiet', made.branch);
    await writeFile(join(world.work, 'NOTES.md'), 'looked at it\n');
    await git(world.work, 'add', 'NOTES.md');
    await git(world.work, 'commit', '--quiet', '--no-gpg-sign', '-m', 'reviewer notes');
    const human = await git(world.work, 'rev-parse', 'HEAD');
    await git(world.work, 'checkout', '--quiet', 'main');

    const run = await plan(['--no-push']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`branch    ${made.branch} @ ${human.slice(0, 12)} (frozen)`);
    expect(run.stdout).toContain(
      `frozen    local branch ${made.branch}: commit ${human.slice(0, 12)} by Ada <ada@example.org> was not made by salve: left as it is, not overwritten`,
    );
    expect(await git(world.work, 'rev-parse', made.branch)).toBe(human);
  });

  it('a commit signing key that is not one fails the plan (exit 2, named) and nothing is written to the repo', async () => {
    await newWorld();
    const before = await treeSnapshot(join(world.work, '.git', 'refs'));
    const broken = { ...keys, SALVE_GPG_PRIVATE_KEY: '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nbm90IGEga2V5\n' };
    const run = await plan([], broken);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SALVE_GPG_PRIVATE_KEY: not an armored OpenPGP private key');
    expect(run.stderr).not.toContain('bm90IGEga2V5');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
    expect(await git(world.work, 'for-each-ref', 'refs/heads/salve/')).toBe('');
    expect(await treeSnapshot(join(world.work, '.git', 'refs'))).toEqual(before);
    const missing = await plan([], {
      SALVE_SIGNING_KEY: keys.SALVE_SIGNING_KEY as string,
      SALVE_GPG_PRIVATE_KEY_FILE: join(scratch, 'none.asc'),
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`SALVE_GPG_PRIVATE_KEY_FILE: cannot read ${join(scratch, 'none.asc')} (ENOENT)`);
    expect(await git(world.work, 'for-each-ref', 'refs/heads/salve/')).toBe('');
  });

  it("authors the commit as the signing key's user id, --author, SALVE_GIT_AUTHOR_*, or .salve.yaml commitAuthor", async () => {
    await newWorld();
    const authorOf = async (args: string[], env = keys) => {
      const made = JSON.parse((await plan(['--json', '--no-push', ...args], env)).stdout);
      const author = await git(world.work, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', made.branch);
      await git(world.work, 'branch', '-D', '--quiet', made.branch);
      return author;
    };
    expect(await authorOf([])).toBe('salve demo <salve-demo@example.org>|salve demo <salve-demo@example.org>');
    expect(await authorOf(['--author', 'Remediation Bot <bot@example.org>'])).toBe(
      'Remediation Bot <bot@example.org>|Remediation Bot <bot@example.org>',
    );
    expect(
      await authorOf([], { ...keys, SALVE_GIT_AUTHOR_NAME: 'Env Bot', SALVE_GIT_AUTHOR_EMAIL: 'env@example.org' }),
    ).toBe('Env Bot <env@example.org>|Env Bot <env@example.org>');
    const config = join(world.work, '.salve.yaml');
    await writeFile(
      config,
      `${await readFile(config, 'utf8')}\ncommitAuthor: { name: Config Bot, email: config@example.org }\n`,
    );
    await git(world.work, 'commit', '--quiet', '--no-gpg-sign', '-am', 'salve commits as Config Bot');
    expect(await authorOf([])).toBe('Config Bot <config@example.org>|Config Bot <config@example.org>');
    const bad = await plan(['--author', 'no email here']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`salve plan: --author: expected 'Name <email>', got "no email here"\n`);
  });
});

describe('salve explain', () => {
  it('prints the explanation by id, branch or short fingerprint; names what it looked for otherwise', async () => {
    await newWorld();
    const made = JSON.parse((await plan(['--json', '--no-push'])).stdout);
    const expected = await git(world.work, 'show', `${made.branch}:.salve/remediations/${made.id}/explanation.md`);
    for (const ref of [made.id, made.branch, made.id.slice(0, 10)]) {
      const run = await salve(['explain', ref], { cwd: world.work });
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${expected}\n\n(${made.id}, from branch ${made.branch})\n`);
    }
    const json = JSON.parse(
      (await salve(['explain', made.id, '--json', '--repo', world.work], { cwd: scratch })).stdout,
    );
    expect(json).toEqual({ id: made.id, source: `branch ${made.branch}`, explanation: `${expected}\n` });

    const missing = await salve(['explain', 'feedbeef00-raise-cpu-limit'], { cwd: world.work });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'no remediation "feedbeef00-raise-cpu-limit": looked at the salve branches (local and remote-tracking)',
    );
    expect(missing.stderr).toContain(`salve branches here: ${made.id} (${made.branch})`);
  });
});
