/**
 * `salve plan` and `salve verify` on a config repo someone hostile controls: committed symbolic links
 * to host files, names that climb out of directories, Applications and settings that point outside
 * the repo, remote resources, alias bombs and control characters. Every case exits 2 with a message
 * naming the input, leaks nothing, and writes nothing outside the repo's git directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import { alertPayload, writeSignal } from '../pipeline/helpers.ts';
import { changedPaths, filesContaining, type HostileWorld, hostileWorld } from './world.ts';

const HPA_STAGING = join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json');
const OOM_PRODUCTION = join(EXAMPLE_SIGNALS, 'oomkilled-checkout-production.json');

/** ESC, carriage return, right-to-left override. */
const CONTROL = ['\u001b', '\r', '\u202e'];

let w: HostileWorld;
let secret: string;
let secretFile: string;

beforeEach(async () => {
  w = await hostileWorld();
  secret = `SALVE-HOST-SECRET-${randomBytes(12).toString('hex')}`;
  secretFile = join(w.world.root, 'host', 'secret.key');
  await mkdir(join(w.world.root, 'host'));
  await writeFile(secretFile, `${secret}\n`);
});

afterEach(async () => {
  await w?.close();
});

function expectNoStackTrace(stderr: string) {
  expect(stderr).not.toMatch(/internal error/);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('salve plan on a hostile config repo', () => {
  it('refuses templates committed as symbolic links to host files, naming the path, leaking nothing', async () => {
    await w.commit(
      'custom PR templates',
      {},
      {
        '.salve/templates/pr-body.hbs': secretFile,
        '.salve/templates/explanation.hbs': '../../../host/secret.key',
      },
    );
    const before = await w.listing();
    const run = await w.salve(['plan', '--repo', w.repo, '--signal', HPA_STAGING], w.keys);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\.salve\/templates\/(pr-body|explanation)\.hbs/);
    expect(run.stderr).toMatch(/symbolic link/);
    expect(run.stderr).toMatch(/outside the repository/);
    expectNoStackTrace(run.stderr);
    expect(run.stdout + run.stderr).not.toContain(secret);
    expect((await w.git('branch', '--list')).trim()).toBe('* main');
    expect(await filesContaining(w.world.root, secret, [secretFile])).toEqual([]);
    expect(changedPaths(before, await w.listing())).toEqual([]);
  });

  it('refuses a template linked to /proc/self/environ without quoting the environment', async () => {
    const canary = randomBytes(4).toString('hex');
    await w.commit('explanation template', {}, { '.salve/templates/explanation.hbs': '/proc/self/environ' });
    const run = await w.salve(['plan', '--repo', w.repo, '--signal', HPA_STAGING], {
      SALVE_CANARY: canary,
      ...w.keys,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('.salve/templates/explanation.hbs');
    expect(run.stdout + run.stderr).not.toContain(canary);
    expect(run.stdout + run.stderr).not.toContain('SALVE_CANARY');
    expect(run.stdout + run.stderr).not.toContain('SALVE_SIGNING_KEY');
    expect(run.stdout + run.stderr).not.toContain(w.keys.SALVE_SIGNING_KEY?.split('\n')[1] as string);
    expectNoStackTrace(run.stderr);
  });

  it('refuses a workload name that climbs out of directories, and writes nothing anywhere', async () => {
    const name = 'x/../../../../victim/ESCAPED';
    const deployment = join(w.repo, 'apps/checkout/base/deployment.yaml');
    const { readFile } = await import('node:fs/promises');
    const text = (await readFile(deployment, 'utf8')).replace('name: checkout\n', `name: ${name}\n`);
    await w.commit('rename', { 'apps/checkout/base/deployment.yaml': text });
    const signal = await writeSignal(
      alertPayload([
        {
          alertname: 'KubeContainerOOMKilled',
          cluster: 'staging',
          namespace: 'checkout',
          container: 'checkout',
          reason: 'OOMKilled',
          extra: { deployment: name },
        },
      ]),
    );
    const before = await w.listing();
    const run = await w.salve(['plan', '--repo', w.repo, '--signal', signal], w.keys);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('labels.deployment');
    expect(run.stderr).toMatch(/not a valid Kubernetes/);
    expectNoStackTrace(run.stderr);
    expect(changedPaths(before, await w.listing())).toEqual([]);
  });

  it('refuses an Application whose path points outside the repository, before building it', async () => {
    await mkdir(join(w.world.root, 'outside'));
    await writeFile(join(w.world.root, 'outside/kustomization.yaml'), 'resources:\n  - deployment.yaml\n');
    await writeFile(
      join(w.world.root, 'outside/deployment.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: evil, namespace: evil}\nspec:\n  template:\n    spec:\n      containers:\n        - name: evil\n          image: evil:1\n          resources: {limits: {memory: 256Mi}}\n',
    );
    await w.commit('an application', {
      'argocd/production/apps/evil.yaml':
        'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: evil, namespace: argocd}\nspec:\n  source: {repoURL: https://example.org/x.git, path: ../outside}\n  destination: {name: production, namespace: evil}\n',
    });
    const signal = await writeSignal(
      alertPayload([
        {
          alertname: 'KubeContainerOOMKilled',
          cluster: 'production',
          namespace: 'evil',
          container: 'evil',
          reason: 'OOMKilled',
          extra: { deployment: 'evil' },
        },
      ]),
    );
    const before = await w.listing();
    const run = await w.salve(['plan', '--repo', w.repo, '--signal', signal], w.keys);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('argocd/production/apps/evil.yaml');
    expect(run.stderr).toContain('../outside');
    expect(run.stderr).toMatch(/outside the repository/);
    expectNoStackTrace(run.stderr);
    expect(changedPaths(before, await w.listing())).toEqual([]);
  });

  it('refuses .salve.yaml policies and keys that point outside the repository', async () => {
    await mkdir(join(w.world.root, 'evil-policies'));
    await writeFile(join(w.world.root, 'evil-policies/allow.rego'), 'package salve.custom\n');
    const { readFile } = await import('node:fs/promises');
    const config = await readFile(join(w.repo, '.salve.yaml'), 'utf8');
    await w.commit('own policies', { '.salve.yaml': `${config}\npolicies: [../evil-policies]\n` });
    const plan = await w.salve(['plan', '--repo', w.repo, '--signal', HPA_STAGING], w.keys);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(/\.salve\.yaml:\d+:\d+: policies\.0: .*inside the repository/);
    expectNoStackTrace(plan.stderr);

    await w.commit('own keys', { '.salve.yaml': `${config}\nkeys: ['../host/*.key']\n` });
    const verify = await w.salve(['verify', '--repo', w.repo]);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toMatch(/\.salve\.yaml:\d+:\d+: keys\.0: .*inside the repository/);
    expect(verify.stdout + verify.stderr).not.toContain(secret);
  });

  it("names the repo's own broken or missing policies by their path in the repo, exit 2", async () => {
    const { readFile } = await import('node:fs/promises');
    const config = await readFile(join(w.repo, '.salve.yaml'), 'utf8');
    await w.commit('own policies', {
      '.salve.yaml': `${config}\npolicies: [rego]\n`,
      'rego/bad.rego': 'package salve.custom\nthis is not rego {\n',
    });
    const broken = await w.salve(['plan', '--repo', w.repo, '--signal', HPA_STAGING], w.keys);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^salve plan: policy build failed: .* rego\/bad\.rego:3: rego_parse_error/);
    expect(broken.stderr).not.toContain(w.tmp);
    await w.commit('missing policies', { '.salve.yaml': `${config}\npolicies: [rego/missing]\n` });
    const missing = await w.salve(['plan', '--repo', w.repo, '--signal', HPA_STAGING], w.keys);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^salve plan: \.salve\.yaml policies: "rego\/missing" is not a directory in commit [0-9a-f]{12}/,
    );
  });

  it('refuses a remote resource unless .salve.yaml allows its host, naming the URL', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const url = `http://127.0.0.1:${port}/never.yaml`;
      const { readFile } = await import('node:fs/promises');
      const path = 'apps/checkout/overlays/production/kustomization.yaml';
      const text = (await readFile(join(w.repo, path), 'utf8')).replace(
        '  - namespace.yaml\n',
        `  - namespace.yaml\n  - ${url}\n`,
      );
      await w.commit('a remote resource', { [path]: text });
      const run = await w.salve(['plan', '--repo', w.repo, '--signal', OOM_PRODUCTION], w.keys);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(url);
      expect(run.stderr).toMatch(/remote/);
      expect(run.stderr).toContain('kustomize.remoteHosts');
      expectNoStackTrace(run.stderr);
      expect(sockets).toHaveLength(0);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('gives a clear error for an alias bomb among the Applications, not a crash', async () => {
    const anchors = ['    a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      anchors.push(
        `    a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    await w.commit('bomb', {
      'argocd/production/apps/bomb.yaml': `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: bomb\n  annotations:\n${anchors.join('\n')}\nspec:\n  source: {path: apps/checkout/overlays/production}\n  destination: {name: production, namespace: checkout}\n`,
    });
    const run = await w.salve(['plan', '--repo', w.repo, '--signal', OOM_PRODUCTION], w.keys);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('argocd/production/apps/bomb.yaml');
    expect(run.stderr).toMatch(/alias/);
    expectNoStackTrace(run.stderr);
  });

  it('never echoes control characters from an alert or .salve.yaml into an error', async () => {
    const signal = await writeSignal(
      alertPayload([
        {
          alertname: 'KubeContainerOOMKilled',
          cluster: 'production',
          namespace: 'checkout\u001b[2J\r\u202eevil',
          container: 'checkout',
          reason: 'OOMKilled',
          extra: { deployment: 'checkout' },
        },
      ]),
    );
    const run = await w.salve(['plan', '--repo', w.repo, '--signal', signal], w.keys);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('labels.namespace');
    for (const c of CONTROL) expect(run.stderr).not.toContain(c);

    const { readFile } = await import('node:fs/promises');
    const config = await readFile(join(w.repo, '.salve.yaml'), 'utf8');
    await w.commit('bad key', { '.salve.yaml': `${config}\n"evil\\e[31m\\u202e": 1\n` });
    const bad = await w.salve(['plan', '--repo', w.repo, '--signal', HPA_STAGING], w.keys);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('.salve.yaml');
    for (const c of CONTROL) expect(bad.stderr).not.toContain(c);
  });
});
