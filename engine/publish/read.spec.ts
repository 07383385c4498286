import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitCli, podinfoRepo, tempDir } from './__fixtures__/repo.ts';
import { changedFiles, readRemediations } from './read.ts';

describe('publish/read', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let dir: string;
  let base: string;
  beforeAll(async () => {
    tmp = await tempDir('read');
    dir = join(tmp.path, 'work');
    base = await podinfoRepo(dir);
    await gitCli(dir, ['checkout', '--quiet', '-b', 'by-hand']);
    await gitCli(dir, ['rm', '--quiet', 'deploy/bases/cache/redis.conf']);
    await gitCli(dir, ['commit', '--quiet', '--no-gpg-sign', '-m', 'drop redis.conf']);
  });
  afterAll(() => tmp.remove());

  it('reads branches written by the git CLI, not only its own', async () => {
    await gitCli(dir, ['checkout', '--quiet', '-b', 'two-records', base]);
    for (const id of ['b-two', 'a-one']) {
      await mkdir(join(dir, '.salve/remediations', id, 'nested'), { recursive: true });
      await writeFile(join(dir, '.salve/remediations', id, 'explanation.md'), `# ${id}\n`);
      await writeFile(join(dir, '.salve/remediations', id, 'nested', 'x.json'), '{}\n');
    }
    await gitCli(dir, ['add', '.salve']);
    await gitCli(dir, ['commit', '--quiet', '--no-gpg-sign', '-m', 'records']);
    expect(await readRemediations(dir, 'two-records')).toEqual([
      { id: 'a-one', files: { 'explanation.md': '# a-one\n', 'nested/x.json': '{}\n' } },
      { id: 'b-two', files: { 'explanation.md': '# b-two\n', 'nested/x.json': '{}\n' } },
    ]);
    const changes = await changedFiles(dir, base, 'two-records');
    expect(changes.map((c) => [c.path, c.before])).toEqual([
      ['.salve/remediations/a-one/explanation.md', null],
      ['.salve/remediations/a-one/nested/x.json', null],
      ['.salve/remediations/b-two/explanation.md', null],
      ['.salve/remediations/b-two/nested/x.json', null],
    ]);
    expect(await changedFiles(dir, base, base)).toEqual([]);
  });

  it('reads a deletion as a change without "after", and refuses unknown refs, naming them', async () => {
    const text = await gitCli(dir, ['show', `${base}:deploy/bases/cache/redis.conf`]);
    const [deleted, ...rest] = await changedFiles(dir, base, 'by-hand');
    expect(rest).toEqual([]);
    expect(deleted).toMatchObject({ path: 'deploy/bases/cache/redis.conf', after: null });
    expect(deleted?.before?.trim()).toBe(text.trim());
    expect(deleted?.before?.length).toBeGreaterThan(0);
    await expect(readRemediations(dir, 'no-such-branch')).rejects.toThrow(/no-such-branch: no such commit or ref/);
  });
});
