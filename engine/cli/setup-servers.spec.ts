/**
 * `salve setup --servers` run as a user runs it (the compiled CLI): what it selects, what it finds
 * in the real tools cache the tests built, and what it says with an empty cache and no Go. No
 * build runs here (minutes, network): the present path and the absent path without Go.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salve } from '../../test/cli/run.ts';
import { TOOLS_DIR } from '../../test/servers/kube.ts';
import { InputError } from '../model/errors.ts';
import { serverSpecs } from '../tools/servers.ts';
import { selectServers } from './setup-servers.ts';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'salve-setup-servers-'));
  // The kube pair the demo needs, as npm test builds it.
  execFileSync('bash', [join(import.meta.dirname, '../../scripts/setup-servers'), 'kube-apiserver', 'etcd'], {
    stdio: 'inherit',
  });
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe('cli/setup-servers', () => {
  it('selects the demo pair by default, every server with all, and refuses an unknown name', () => {
    expect(selectServers([]).map((s) => s.name)).toEqual(['etcd', 'kube-apiserver']);
    expect(selectServers(['all']).map((s) => s.name)).toEqual([
      'etcd',
      'kube-apiserver',
      'prometheus',
      'promtool',
      'alertmanager',
    ]);
    expect(selectServers(['alertmanager']).map((s) => s.name)).toEqual(['alertmanager']);
    expect(() => selectServers(['kubelet'])).toThrow(InputError);
    expect(() => selectServers(['kubelet'])).toThrow(
      /unknown server kubelet \(known: etcd, kube-apiserver, .*or all\)/,
    );
  });

  it('pins every server from assets/servers/versions.env, Prometheus releases named as v3', () => {
    const byName = Object.fromEntries(serverSpecs().map((s) => [s.name, s]));
    expect(byName['kube-apiserver']?.dir).toBe('kube-apiserver-v1.34.3');
    expect(byName.etcd?.dir).toBe('etcd-v3.6.5');
    expect(byName.promtool?.dir).toBe(byName.prometheus?.dir);
    expect(byName.prometheus?.release).toBe('https://github.com/prometheus/prometheus/releases/tag/v3.16.0');
  });

  it('bad usage exits 2: an unknown server, or a server name without --servers', async () => {
    const unknown = await salve(['setup', '--servers', 'kubelet']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown server kubelet');
    const stray = await salve(['setup', 'etcd']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('server names go with --servers');
  });

  it('finds the pair already built in the tools cache and builds nothing', async () => {
    const run = await salve(['setup', '--servers', '--json'], { env: { SALVE_TOOLS_DIR: TOOLS_DIR } });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, toolsDir: TOOLS_DIR });
    expect(report.servers).toEqual([
      expect.objectContaining({ name: 'etcd', version: 'v3.6.5', present: true, installed: false }),
      expect.objectContaining({ name: 'kube-apiserver', version: 'v1.34.3', present: true, installed: false }),
    ]);
    expect(report.servers[1].path).toBe(join(TOOLS_DIR, 'kube-apiserver-v1.34.3', 'kube-apiserver'));
    const text = await salve(['setup', '--servers'], { env: { SALVE_TOOLS_DIR: TOOLS_DIR } });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`kube-apiserver  v1.34.3 at ${join(TOOLS_DIR, 'kube-apiserver-v1.34.3')}`);
    expect(text.stderr).not.toContain('building');
  });

  it('with an empty tools cache and no Go: names what is missing, where it goes and where to get it, exit 2', async () => {
    const bin = join(home, 'bin');
    await mkdir(bin, { recursive: true });
    await symlink(process.execPath, join(bin, 'node')).catch(() => {});
    const tools = join(home, 'empty-tools');
    const run = await salve(['setup', '--servers', 'all'], { env: { PATH: bin, SALVE_TOOLS_DIR: tools } });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`etcd            v3.6.5 missing (expected at ${join(tools, 'etcd-v3.6.5', 'etcd')})`);
    expect(run.stdout).toContain(
      'Go is not on PATH: install it (https://go.dev/dl/) and run salve setup --servers again',
    );
    expect(run.stdout).toContain('https://github.com/etcd-io/etcd/releases/tag/v3.6.5');
    expect(run.stdout).toContain('https://dl.k8s.io/v1.34.3/bin/linux/amd64/kube-apiserver');
    expect(run.stdout).toContain('https://github.com/prometheus/alertmanager/releases/tag/v0.31.1');
    // --check never builds, Go or not, and says how to.
    const check = await salve(['setup', '--servers', '--check'], { env: { SALVE_TOOLS_DIR: tools } });
    expect(check.code).toBe(2);
    expect(check.stdout).toContain('To build them: salve setup --servers (needs Go, https://go.dev/dl/)');
  });
});
