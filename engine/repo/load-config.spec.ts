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
