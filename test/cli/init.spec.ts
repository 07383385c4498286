/**
 * `salve init`, `salve validate` and `salve setup` on the podinfo test bed with Argo CD
 * Applications: what init writes (and refuses to overwrite), the table validate prints and the
 * problems it names, and where setup finds the tools.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_URL } from '../../engine/config/json-schema.ts';
import { makePodinfoRepo, type PodinfoRepo } from '../../engine/repo/__fixtures__/podinfo.ts';
import { loadConfig } from '../../engine/repo/index.ts';
import { salve } from './run.ts';
import { treeSnapshot } from './tree-snapshot.ts';

const exec = promisify(execFile);
const git = async (cwd: string, ...args: string[]) => (await exec('git', args, { cwd })).stdout.trim();

let repo: PodinfoRepo;
let home: string;
let env: Record<string, string>;

beforeEach(async () => {
  repo = await makePodinfoRepo({ git: true });
  home = await mkdtemp(join(tmpdir(), 'salve-home-'));
  env = { XDG_CONFIG_HOME: join(home, 'config') };
});
afterEach(async () => {
  await repo.cleanup();
  await rm(home, { recursive: true, force: true });
});

describe('salve init', () => {
  it('writes a commented .salve.yaml from the Applications, a proof key pair and the verify workflow', async () => {
    const run = await salve(['init'], { cwd: repo.dir, env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const text = await readFile(join(repo.dir, '.salve.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${CONFIG_SCHEMA_URL}`);
    const { config } = await loadConfig(repo.dir);
    expect(config.applications).toEqual(['argocd/**/*.yaml']);
    expect(config.environments.map((e) => [e.name, e.tier, e.clusters])).toEqual([
      ['development', 'development', ['dev-cluster']],
      ['production', 'production', ['prod-cluster']],
      ['staging', 'staging', ['staging-cluster']],
    ]);

    const status = (await git(repo.dir, 'status', '--porcelain', '--untracked-files=all')).split('\n').sort();
    const pub = status.find((l) => l.includes('.salve/keys/'))?.slice(3) as string;
    expect(status).toEqual(['?? .github/workflows/salve-verify.yml', '?? .salve.yaml', `?? ${pub}`].sort());
    expect(pub).toMatch(/^\.salve\/keys\/proof-[0-9a-f]{12}\.pub$/);
    expect(await readFile(join(repo.dir, pub), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);

    const keyDir = join(home, 'config', 'salve', 'keys');
    const [privateName] = await (await import('node:fs/promises')).readdir(keyDir);
    expect(privateName).toMatch(
      new RegExp(`^${pub.slice('.salve/keys/proof-'.length, -'.pub'.length)}[0-9a-f]{52}\\.pem$`),
    );
    expect((await stat(join(keyDir, privateName as string))).mode & 0o777).toBe(0o600);
    expect((await stat(keyDir)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(keyDir, privateName as string), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    const workflow = await readFile(join(repo.dir, '.github/workflows/salve-verify.yml'), 'utf8');
    expect(workflow).toContain('branches: ["main"]');
    expect(workflow).toContain('uses: salve-dev/salve@v0');
    expect(workflow).not.toContain('policies: policy');
    expect(run.stdout).toContain('gpg --quick-generate-key');
    expect(run.stdout).toContain('SALVE_GPG_PRIVATE_KEY_FILE');
  });

  it('refuses to overwrite without --force and writes nothing then; --force rewrites and keeps the key', async () => {
    await mkdir(join(repo.dir, '.github/workflows'), { recursive: true });
    await writeFile(join(repo.dir, '.github/workflows/salve-verify.yml'), 'mine\n');
    const before = await treeSnapshot(repo.dir);
    const refused = await salve(['init'], { cwd: repo.dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'salve init: .github/workflows/salve-verify.yml already exists: pass --force to overwrite\n',
    );
    expect(await treeSnapshot(repo.dir)).toEqual(before);
    await expect(stat(join(home, 'config'))).rejects.toThrow();

    const forced = await salve(['init', '--force'], { cwd: repo.dir, env });
    expect(forced.code).toBe(0);
    expect(await readFile(join(repo.dir, '.github/workflows/salve-verify.yml'), 'utf8')).toContain(
      'name: salve verify',
    );
    const keys = () => git(repo.dir, 'ls-files', '--others', '.salve/keys');
    const first = await keys();

    const again = await salve(['init', '--force'], { cwd: repo.dir, env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('for a key the repo trusts; kept it');
    expect(await keys()).toBe(first);
  });

  it('refuses a key directory inside the repository', async () => {
    const run = await salve(['init', '--key-dir', 'keys'], { cwd: repo.dir, env });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `salve init: --key-dir ${join(repo.dir, 'keys')} is inside the repo: the private key must stay outside it\n`,
    );
    expect(await git(repo.dir, 'status', '--porcelain')).toBe('');
  });
});

describe('salve validate', () => {
  it('prints the (cluster, namespace) -> overlay table and exits 0 on a good repo', async () => {
    await salve(['init'], { cwd: repo.dir, env });
    const run = await salve(['validate'], { cwd: repo.dir, env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^config {7}\.salve\.yaml: ok, 3 environments, 0 trust rules$/m);
    expect(run.stdout).toMatch(/^policies {5}ok, bundle sha256:[0-9a-f]{64}/m);
    expect(run.stdout).toContain('proof signing key on this machine: yes');
    expect(run.stdout).toMatch(
      /^prod-cluster +production \(production\) +production +deploy\/overlays\/production +podinfo-production +ok, \d+ objects$/m,
    );
    expect(run.stdout).toMatch(/^prod-cluster +production \(production\) +argocd +argocd +root +app-of-apps$/m);
    expect(run.stdout.trimEnd().endsWith('valid')).toBe(true);

    const json = JSON.parse((await salve(['validate', '--json'], { cwd: repo.dir, env })).stdout);
    expect(json.ok).toBe(true);
    expect(json.overlays).toHaveLength(4);
    expect(json.overlays.find((r: { application: string }) => r.application === 'podinfo-staging')).toMatchObject({
      cluster: 'staging-cluster',
      namespace: 'staging',
      overlay: 'deploy/overlays/staging',
      environment: 'staging',
      status: 'ok',
    });
  });

  it('exits 2 naming each problem: a config typo, a broken overlay, a policy that does not compile', async () => {
    await writeFile(join(repo.dir, '.salve.yaml'), 'apiVersion: salve.dev/v1\nenviroments: []\n');
    const typo = await salve(['validate'], { cwd: repo.dir, env });
    expect(typo.code).toBe(2);
    expect(typo.stdout).toContain('.salve.yaml:2:1: (root): Unrecognized key: "enviroments"');

    await writeFile(join(repo.dir, '.salve.yaml'), 'apiVersion: salve.dev/v1\npolicies: [policy]\n');
    await mkdir(join(repo.dir, 'policy'));
    await writeFile(join(repo.dir, 'policy', 'bad.rego'), 'package salve.custom\n\ndeny contains msg if {\n');
    const kustomization = join(repo.dir, 'deploy/overlays/staging/kustomization.yaml');
    await writeFile(kustomization, `${await readFile(kustomization, 'utf8')}\nresources:\n  - missing.yaml\n`);
    const broken = await salve(['validate', '--json'], { cwd: repo.dir, env });
    expect(broken.code).toBe(2);
    const report = JSON.parse(broken.stdout);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.stringMatching(/^policies: .*bad\.rego/),
      expect.stringMatching(
        /^argocd\/podinfo-staging\.yaml: Application podinfo-staging: kustomize build of overlay deploy\/overlays\/staging failed/,
      ),
    ]);
  });
});

describe('salve setup', () => {
  it('--check says where opa and kustomize are and which versions', async () => {
    const run = await salve(['setup', '--check', '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(true);
    expect(report.tools.map((t: { name: string; version: string }) => [t.name, t.version])).toEqual([
      ['opa', 'v1.22.0'],
      ['kustomize', 'v5.8.1'],
    ]);
  });

  it('names what is missing and where to get it, exit 2', async () => {
    const bin = join(home, 'bin');
    await mkdir(bin);
    // Only git and node on PATH: no opa, no kustomize, no kubectl, no Go.
    for (const tool of ['git', 'node']) {
      const { stdout } = await exec('sh', ['-c', `command -v ${tool}`]);
      await (await import('node:fs/promises')).symlink(stdout.trim(), join(bin, tool));
    }
    const run = await salve(['setup'], { env: { PATH: bin, SALVE_TOOLS_DIR: join(home, 'tools') } });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('opa        missing (salve is tested with v1.22.0)');
    expect(run.stdout).toContain('kustomize  missing (salve is tested with v5.8.1)');
    expect(run.stdout).toContain('Go is not on PATH');
    expect(run.stdout).toContain('https://github.com/open-policy-agent/opa/releases/tag/v1.22.0');
  });
});
