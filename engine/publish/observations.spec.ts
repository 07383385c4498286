import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../model/index.ts';
import { gitCli, podinfoRepo, tempDir } from './__fixtures__/repo.ts';
import { recordObservation, recordPullRequest } from './observations.ts';

describe('publish/observations', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let dir: string;
  beforeAll(async () => {
    tmp = await tempDir('observe');
    dir = join(tmp.path, 'work');
    await podinfoRepo(dir);
  });
  afterAll(() => tmp.remove());

  const decision = {
    allowed: true,
    mode: 'observe' as const,
    rules: [
      {
        id: 'admission.risk-below-threshold',
        effect: 'advisory' as const,
        message: 'risk 0.3 is below the threshold 0.5: observe only',
      },
    ],
  };

  it('writes the record inside the git dir: no branch, no commit, a clean working tree', async () => {
    const refs = await gitCli(dir, ['for-each-ref']);
    const file = await recordObservation(dir, {
      id: '3f9a1c2b7d4e-raise-memory-limit',
      explanation: '# raise memory\n\nbecause\n',
      decision,
    });
    expect(file).toBe(join(dir, '.git', 'salve', 'observations', '3f9a1c2b7d4e-raise-memory-limit.md'));
    expect(await readFile(file, 'utf8')).toBe(
      '# raise memory\n\nbecause\n\n## Decision\n\nmode: observe, allowed: true\n\n- `admission.risk-below-threshold` (advisory): risk 0.3 is below the threshold 0.5: observe only\n',
    );
    expect(await gitCli(dir, ['status', '--porcelain', '--ignored'])).toBe('');
    expect(await gitCli(dir, ['for-each-ref'])).toBe(refs);
  });

  it('renders the PR of a local publish beside it', async () => {
    const file = await recordPullRequest(dir, 'abc-raise', {
      title: 'salve: t',
      body: 'body\n',
      labels: ['salve', 'salve/mode:approve'],
    });
    expect(await readFile(file, 'utf8')).toBe('# salve: t\n\nlabels: salve, salve/mode:approve\n\nbody\n');
  });

  it('refuses ids that are not plain file names', async () => {
    await expect(recordObservation(dir, { id: '../../escape', explanation: '', decision })).rejects.toThrow(InputError);
  });
});
