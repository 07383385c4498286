import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublishError } from '../model/index.ts';
import { gitCli, podinfoRepo, tempDir } from './__fixtures__/repo.ts';
import { createBareRemote, repoPath, startGitServer } from './git-server.ts';

describe('publish/git-server', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir('git-server');
  });
  afterAll(() => tmp.remove());

  it('serves bare repos to the git CLI for clone and push, then stops', async () => {
    const root = join(tmp.path, 'remotes');
    const work = join(tmp.path, 'work');
    const head = await podinfoRepo(work);
    const bare = join(root, 'team', 'config.git');
    const server = await startGitServer(root);
    try {
      const url = server.url(repoPath(root, bare));
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/team\/config\.git$/);
      await createBareRemote(work, bare, url, { seed: true });
      expect(await gitCli(work, ['config', 'remote.origin.url'])).toBe(url);
      await gitCli(tmp.path, ['clone', '--quiet', url, 'clone']);
      expect(await gitCli(join(tmp.path, 'clone'), ['rev-parse', 'HEAD'])).toBe(head);
      await gitCli(join(tmp.path, 'clone'), ['commit', '--quiet', '--no-gpg-sign', '--allow-empty', '-m', 'over http']);
      await gitCli(join(tmp.path, 'clone'), ['push', '--quiet', 'origin', 'HEAD:refs/heads/pushed']);
      expect(await gitCli(tmp.path, ['--git-dir', bare, 'log', '-1', '--format=%s', 'pushed'])).toBe('over http');
      await expect(gitCli(tmp.path, ['ls-remote', server.url('missing.git')])).rejects.toThrow();
    } finally {
      await server.close();
    }
    await expect(fetch(server.url('team/config.git/info/refs'))).rejects.toThrow();
  });

  it('keeps credentials out of remote URLs and bare repos inside the root', async () => {
    await expect(
      createBareRemote(join(tmp.path, 'work'), join(tmp.path, 'x.git'), 'http://user:secret@127.0.0.1/x.git'),
    ).rejects.toThrow(new PublishError('remote URL for origin must not carry credentials; use headers'));
    expect(() => repoPath(join(tmp.path, 'remotes'), join(tmp.path, 'elsewhere.git'))).toThrow(PublishError);
  });
});
