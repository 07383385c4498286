/**
 * A newcomer's first hour, with salve installed from `npm pack` as any npm CLI is: `npm i -g` into a
 * temp prefix, `npx`, and a symlink on PATH, each run from a directory outside the checkout. Then,
 * on a fresh config repo made from the podinfo test bed: salve init, salve validate, salve plan
 * --dry-run, salve plan pushing with the system git to a bare path remote, salve verify.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningIdentity } from '../../engine/publish/pgp.ts';
import { makePodinfoRepo, type PodinfoRepo } from '../../engine/repo/__fixtures__/podinfo.ts';
import { alertPayload } from '../pipeline/helpers.ts';
import { TOOLS_DIR } from '../servers/kube.ts';
import { baseEnv, salve } from './run.ts';

const exec = promisify(execFile);
const CHECKOUT = resolve(import.meta.dirname, '../..');
const VERSION = JSON.parse(readFileSync(join(CHECKOUT, 'package.json'), 'utf8')).version as string;
const NPM_TIMEOUT = 5 * 60_000;

let root: string;
let tarball: string;
let bin: string;
let empty: string;

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await exec('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd,
    timeout: NPM_TIMEOUT,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'salve-installed-'));
  empty = join(root, 'elsewhere');
  await mkdir(empty);
  const packed = await npm(['pack', CHECKOUT, '--pack-destination', root], root);
  tarball = join(root, packed.trim().split('\n').at(-1) as string);
  await npm(['install', '--global', '--prefix', join(root, 'prefix'), tarball], root);
  bin = join(root, 'prefix', 'bin', 'salve');
}, NPM_TIMEOUT * 2);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('salve installed from npm pack', () => {
  it('ships compiled JavaScript only: no TypeScript, no engine sources, no tests', async () => {
    const { stdout } = await exec('tar', ['tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/bin/salve');
    expect(files).toContain('package/lib/main.js');
    expect(files).toContain('package/npm-shrinkwrap.json');
    expect(files).toContain('package/schemas/salve-config.schema.json');
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    const installed = join(root, 'prefix', 'lib', 'node_modules', 'salve');
    expect(await readdir(join(installed, 'node_modules'))).not.toContain('tsx');
  });

  it(
    'runs from any directory: npm i -g, a symlink on PATH, npx',
    async () => {
      const global = await salve(['--version'], { bin, cwd: empty });
      expect(global).toEqual({ code: 0, stdout: `salve ${VERSION}\n`, stderr: '' });
      const help = await salve(['plan', '--help'], { bin, cwd: empty });
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^usage: salve plan/);

      const links = join(root, 'links');
      await mkdir(links);
      await symlink(join(root, 'prefix', 'lib', 'node_modules', 'salve', 'bin', 'salve'), join(links, 'salve'));
      const viaPath = await exec('salve', ['--version'], {
        cwd: empty,
        env: { ...baseEnv(), PATH: `${links}:${process.env.PATH}` },
      });
      expect(viaPath.stdout).toBe(`salve ${VERSION}\n`);

      // npx installs into npm's _npx cache; the entry this run adds is removed again.
      const npxCache = join((await npm(['config', 'get', 'cache'], empty)).trim(), '_npx');
      const cached = new Set(await readdir(npxCache).catch(() => []));
      try {
        const npx = await exec(
          'npm',
          ['exec', '--yes', '--prefer-offline', '--package', tarball, '--', 'salve', '--version'],
          {
            cwd: empty,
            timeout: NPM_TIMEOUT,
          },
        );
        expect(npx.stdout).toBe(`salve ${VERSION}\n`);
      } finally {
        for (const entry of await readdir(npxCache).catch(() => []))
          if (!cached.has(entry)) await rm(join(npxCache, entry), { recursive: true, force: true });
      }
    },
    NPM_TIMEOUT,
  );

  it(
    'salve demo runs its loop installed: the CRDs, RBAC and pinned server versions ship; the servers come from the tools cache',
    async () => {
      const { stdout } = await exec('tar', ['tzf', tarball]);
      const files = stdout.trim().split('\n');
      for (const f of [
        'assets/servers/versions.env',
        'assets/servers/kube-apiserver/go.mod',
        'schemas/argo-cd/application-crd.yaml',
        'schemas/argo-rollouts/analysis-run-crd.yaml',
        'deploy/rbac/base/cluster-role.yaml',
      ])
        expect(files).toContain(`package/${f}`);
      // A home whose tools cache is the one the tests built (opa, kustomize, etcd, kube-apiserver).
      const home = join(root, 'home');
      await mkdir(join(home, '.cache', 'salve'), { recursive: true });
      await symlink(TOOLS_DIR, join(home, '.cache', 'salve', 'tools'));
      const env = { HOME: home };
      await exec('bash', [join(CHECKOUT, 'scripts/setup-servers'), 'kube-apiserver', 'etcd'], { timeout: NPM_TIMEOUT });
      const servers = await salve(['setup', '--servers', '--json'], { bin, cwd: empty, env });
      expect(servers.code).toBe(0);
      expect(JSON.parse(servers.stdout)).toMatchObject({ ok: true, toolsDir: join(home, '.cache', 'salve', 'tools') });
      const demo = await salve(['demo'], { bin, cwd: empty, env });
      expect(demo.stderr).toBe('');
      expect(demo.code).toBe(0);
      const lines = demo.stdout.split('\n');
      expect(lines.filter((l) => l.startsWith('skipped'))).toEqual([]);
      expect(lines.filter((l) => l.startsWith('outcome '))).toEqual([
        expect.stringMatching(/^outcome {3}effective /),
        expect.stringMatching(
          /^outcome {3}harmful: AnalysisRun storefront-demo-canary-1 Failed: .*\(the harm overrides the score /,
        ),
      ]);
      expect(lines).toContain(
        'revert pr salve: revert pull request 102 (raise-memory-limit on Rollout/storefront), harmful (production)',
      );
    },
    NPM_TIMEOUT,
  );

  describe('a newcomer on their own config repo', () => {
    let repo: PodinfoRepo;
    let env: Record<string, string>;
    let signal: string;

    beforeAll(async () => {
      repo = await makePodinfoRepo({ git: true });
      const bare = join(root, 'remote', 'podinfo-config.git');
      await exec('git', ['init', '--bare', '--quiet', '--initial-branch=main', bare]);
      await exec('git', ['remote', 'add', 'origin', bare], { cwd: repo.dir });
      await exec('git', ['push', '--quiet', 'origin', 'main'], { cwd: repo.dir });
      const pgp = await generateSigningIdentity({ name: 'Platform Bot', email: 'platform-bot@example.org' });
      const keyFile = join(root, 'commit-signing.asc');
      await writeFile(keyFile, pgp.armoredPrivateKey);
      await chmod(keyFile, 0o600);
      env = {
        XDG_CONFIG_HOME: join(root, 'config'),
        SALVE_GPG_PRIVATE_KEY_FILE: keyFile,
        GIT_AUTHOR_NAME: 'Newcomer',
        GIT_AUTHOR_EMAIL: 'newcomer@example.org',
        GIT_COMMITTER_NAME: 'Newcomer',
        GIT_COMMITTER_EMAIL: 'newcomer@example.org',
      };
      signal = join(root, 'oom.json');
      const alert = { alertname: 'KubePodCrashLooping', cluster: 'staging-cluster', namespace: 'staging' };
      const pods = ['backend-5d8f7c9b6d-x2x7q', 'backend-5d8f7c9b6d-p9k2m'];
      const payload = alertPayload(pods.map((pod) => ({ ...alert, pod, container: 'backend', reason: 'OOMKilled' })));
      await writeFile(signal, JSON.stringify(payload, null, 2));
    });
    afterAll(async () => {
      await repo?.cleanup();
    });

    const run = (args: string[]) => salve(args, { bin, cwd: repo.dir, env });

    it('salve init, then commit what it wrote', async () => {
      const init = await run(['init']);
      expect(init.stderr).toBe('');
      expect(init.code).toBe(0);
      const add = /^ {2}git add (.*) && git commit/m.exec(init.stdout)?.[1]?.split(' ') ?? [];
      expect(add).toHaveLength(3);
      await exec('git', ['add', ...add], { cwd: repo.dir, env: { ...process.env, ...env } });
      await exec('git', ['commit', '--quiet', '--no-gpg-sign', '-m', 'Set up salve'], {
        cwd: repo.dir,
        env: { ...process.env, ...env },
      });
      await exec('git', ['push', '--quiet', 'origin', 'main'], { cwd: repo.dir });
    });

    it('salve validate', async () => {
      const validate = await run(['validate']);
      expect(validate.stderr).toBe('');
      expect(validate.code).toBe(0);
      expect(validate.stdout).toMatch(
        /^staging-cluster +staging \(staging\) +staging +deploy\/overlays\/staging +podinfo-staging +ok/m,
      );
    });

    it('salve plan --dry-run', async () => {
      const dry = await run(['plan', '--dry-run', '--signal', signal]);
      expect(dry.stderr).toBe('');
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('raise memory limit of Deployment/backend container backend');
      expect(dry.stdout).toContain('── rendered diff');
      expect(dry.stdout).not.toContain('throw-away key');
      const { stdout } = await exec('git', ['for-each-ref', 'refs/heads/salve'], { cwd: repo.dir });
      expect(stdout).toBe('');
    });

    it('salve plan pushes over the system git to the bare path remote; salve verify passes', async () => {
      const plan = await run(['plan', '--signal', signal, '--json']);
      expect(plan.stderr).toBe('');
      expect(plan.code).toBe(0);
      const made = JSON.parse(plan.stdout);
      expect(made).toMatchObject({ outcome: 'publish', action: 'raise-memory-limit', pushed: true, unchanged: false });
      const bare = join(root, 'remote', 'podinfo-config.git');
      const { stdout: tip } = await exec('git', ['--git-dir', bare, 'rev-parse', `refs/heads/${made.branch}`]);
      expect(tip.trim()).toBe(made.commit);
      const { stdout: author } = await exec('git', ['--git-dir', bare, 'log', '-1', '--format=%an <%ae>', made.commit]);
      expect(author.trim()).toBe('Platform Bot <platform-bot@example.org>');

      const verify = await run(['verify', '--ref', made.branch, '--json']);
      expect(verify.stderr).toBe('');
      expect(verify.code).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, remediations: [{ id: made.id, ok: true }] });
    });
  });
});
