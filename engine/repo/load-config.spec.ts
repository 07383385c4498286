import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../model/errors.ts';
import { loadConfig } from './load-config.ts';

describe('repo/load-config', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-config-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function failure(text: string, name = '.salve.yaml'): Promise<ConfigError> {
    await writeFile(join(dir, name), text);
    const err = await loadConfig(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }

  it('is zero-config when there is no .salve.yaml', async () => {
    const { config, file } = await loadConfig(dir);
    expect(file).toBeNull();
    expect(config.trust.default).toBe('approve');
    expect(config.applications).toEqual(['**/*.yaml', '**/*.yml']);
  });

  it('reads .salve.yml and applies defaults under what it sets', async () => {
    await writeFile(join(dir, '.salve.yml'), 'environments:\n  - name: prod\n    clusters: [eu-1]\n');
    const { config, file } = await loadConfig(dir);
    expect(file).toBe('.salve.yml');
    expect(config.environments[0]).toMatchObject({ name: 'prod', clusters: ['eu-1'], timezone: 'UTC' });
  });

  it('takes a text it validated before from the memo, each caller its own copy, and parses a changed text anew', async () => {
    const memo = new Map();
    await writeFile(join(dir, '.salve.yaml'), 'environments:\n  - name: prod\n    clusters: [eu-1]\n');
    const first = await loadConfig(dir, memo);
    expect(memo.size).toBe(1);
    first.config.environments.length = 0;
    const again = await loadConfig(dir, memo);
    expect(again.config.environments[0]).toMatchObject({ name: 'prod', clusters: ['eu-1'] });
    expect(memo.size).toBe(1);
    await writeFile(join(dir, '.salve.yaml'), 'environments:\n  - name: staging\n    clusters: [eu-2]\n');
    const changed = await loadConfig(dir, memo);
    expect(changed.config.environments[0]).toMatchObject({ name: 'staging', clusters: ['eu-2'] });
    expect(memo.size).toBe(2);
    // A text that fails is not kept: it fails again, naming what is wrong.
    await writeFile(join(dir, '.salve.yaml'), 'environments: 3\n');
    await expect(loadConfig(dir, memo)).rejects.toBeInstanceOf(ConfigError);
    expect(memo.size).toBe(2);
  });

  it('names file, field and line:column of a schema error', async () => {
    const err = await failure(
      '# salve\napiVersion: salve.dev/v1\npolicy:\n  bounds:\n    memoryMaxFactor: -1\n  riskThreshold: 0.5\n',
    );
    expect(err.code).toBe('bad-config');
    expect(err.message).toMatch(/^invalid \.salve\.yaml:\n\.salve\.yaml:5:22: policy\.bounds\.memoryMaxFactor: /);
  });

  it('points at an unknown key itself, and at list items by index', async () => {
    const err = await failure('environments:\n  - name: prod\n    clusterz: [eu-1]\n  - name: ""\n');
    expect(err.message).toContain('.salve.yaml:3:5: environments.0: Unrecognized key: "clusterz"');
    expect(err.message).toMatch(/\.salve\.yaml:4:11: environments\.1\.name: /);
  });

  it('names file, line and column of a YAML syntax error', async () => {
    const err = await failure('trust:\n  default: approve\n   rules: []\n');
    expect(err.message).toMatch(
      /^invalid YAML in \.salve\.yaml:\n\.salve\.yaml:2:12: Nested mappings are not allowed in compact mappings\n/,
    );
  });
});

describe('repo/load-config on hostile input', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-config-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function failure(text: string): Promise<ConfigError> {
    await writeFile(join(dir, '.salve.yaml'), text);
    const err = await loadConfig(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }

  it('refuses policies, keys and Application globs that leave the repository', async () => {
    const policies = await failure('policies: [../evil]\n');
    expect(policies.message).toContain(
      '.salve.yaml:1:12: policies.0: must be a path inside the repository (relative, without ..)',
    );
    const keys = await failure('keys: [/etc/ssh/*.pub, ok/*.pub]\n');
    expect(keys.message).toContain('.salve.yaml:1:8: keys.0: must be a path inside the repository');
    expect((await failure('applications: ["a/../../b/*.yaml"]\n')).message).toContain('applications.0');
  });

  it('refuses globs that are not globs or would backtrack for minutes, instead of crashing', async () => {
    expect((await failure('applications: ["[z-a].yaml"]\n')).message).toContain('applications.0: is not a valid glob');
    expect((await failure('applications: ["{a,b.yaml"]\n')).message).toContain('is not a valid glob');
    const wild = `applications: ["${'*a'.repeat(20)}"]\n`;
    expect((await failure(wild)).message).toContain('is not a valid glob');
  });

  it('gives an alias bomb and a file too large clear errors', async () => {
    const anchors = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      anchors.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const bomb = await failure(`${anchors.join('\n')}\n`);
    expect(bomb.code).toBe('yaml-aliases');
    expect(bomb.message).toMatch(/^\.salve\.yaml: YAML aliases expand more than 100 times/);
    const big = await failure(`# ${'x'.repeat(1024 * 1024)}\n`);
    expect(big.code).toBe('file-too-large');
    expect(big.message).toMatch(/^\.salve\.yaml in .* is 1\.0 MiB, more than the 1 MiB salve reads$/);
  });

  it('names a bound that is not a quantity (it was an error that named no file)', async () => {
    const err = await failure('policy:\n  bounds:\n    memoryCap: lots\n');
    expect(err.message).toContain('.salve.yaml:3:16: policy.bounds.memoryCap: expected a quantity such as 4Gi or 500m');
  });

  it('takes remote hosts for kustomize, and nothing that is not a host', async () => {
    await writeFile(join(dir, '.salve.yaml'), 'kustomize:\n  remoteHosts: [github.com, "git.example.org:8443"]\n');
    expect((await loadConfig(dir)).config.kustomize.remoteHosts).toEqual(['github.com', 'git.example.org:8443']);
    expect((await failure('kustomize:\n  remoteHosts: ["https://x/"]\n')).message).toContain(
      'kustomize.remoteHosts.0: expected a host name or host:port',
    );
  });
});
