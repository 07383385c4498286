import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublishError } from '../model/index.ts';
import { gitCli, podinfoRepo, request, tempDir } from './__fixtures__/repo.ts';
import { createBareRemote, type GitServer, repoPath, startGitServer } from './git-server.ts';
import { publishLocal } from './local.ts';
import { generateSigningIdentity, type SigningIdentity } from './pgp.ts';
import { changedFiles, readRemediations } from './read.ts';

const DEPLOYMENT = 'deploy/bases/backend/deployment.yaml';
const PATCH = 'deploy/overlays/production/patches/backend-memory.yaml';
const NOW = new Date('2025-03-04T10:05:00Z');

describe('publish/local', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let identity: SigningIdentity;
  let server: GitServer;
  let gnupg: string;

  beforeAll(async () => {
    tmp = await tempDir('publish');
    identity = await generateSigningIdentity({ name: 'salve bot', email: 'bot@salve.dev' });
    gnupg = join(tmp.path, 'gnupg');
    await writeFile(join(tmp.path, 'pub.asc'), identity.armoredPublicKey);
    const { execFile } = await import('node:child_process');
    await new Promise<void>((ok, fail) =>
      execFile(
        'sh',
        ['-c', `mkdir -m 700 -p ${gnupg} && gpg --batch --quiet --import ${join(tmp.path, 'pub.asc')}`],
        { env: { ...process.env, GNUPGHOME: gnupg } },
        (err) => (err ? fail(err) : ok()),
      ),
    );
    server = await startGitServer(join(tmp.path, 'remotes'));
  });
  afterAll(async () => {
    await server?.close();
    await tmp?.remove();
  });

  let n = 0;
  async function repo() {
    const dir = join(tmp.path, `work-${++n}`);
    const base = await podinfoRepo(dir);
    const deployment = await readFile(join(dir, DEPLOYMENT), 'utf8');
    return { dir, base, deployment };
  }
  const opts = (dir: string) => ({
    dir,
    author: { name: 'salve bot', email: 'bot@salve.dev' },
    signing: { armoredPrivateKey: identity.armoredPrivateKey },
    now: NOW,
  });
  function files(deployment: string, limit = '384Mi') {
    return [
      { path: DEPLOYMENT, before: deployment, after: `${deployment}# touched\n` },
      { path: PATCH, before: null, after: `# memory ${limit}\n` },
      {
        path: '.salve/remediations/3f9a1c2b7d4e-raise-memory-limit/explanation.md',
        before: null,
        after: `# raise to ${limit}\n`,
      },
      { path: '.salve/remediations/3f9a1c2b7d4e-raise-memory-limit/proof.json', before: null, after: '{"v":1}\n' },
    ];
  }

  it('creates a branch with one signed commit that git verify-commit accepts', async () => {
    const { dir, base, deployment } = await repo();
    const statusBefore = await gitCli(dir, ['status', '--porcelain']);
    const indexBefore = await readFile(join(dir, '.git/index'));
    const result = await publishLocal(request(base, { files: files(deployment) }), opts(dir));
    expect(result).toMatchObject({ branch: 'salve/3f9a1c2b7d4e-raise-memory-limit', pushed: false, unchanged: false });
    expect(await gitCli(dir, ['rev-parse', 'refs/heads/salve/3f9a1c2b7d4e-raise-memory-limit'])).toBe(result.commit);
    expect(await gitCli(dir, ['rev-list', '--count', `${base}..${result.commit}`])).toBe('1');
    expect(await gitCli(dir, ['rev-parse', `${result.commit}^`])).toBe(base);
    expect(await gitCli(dir, ['log', '-1', '--format=%an <%ae> %at %s', result.commit])).toBe(
      `salve bot <bot@salve.dev> ${NOW.getTime() / 1000} salve: raise memory limit of production/backend to 384Mi`,
    );
    const verified = await gitCli(dir, ['verify-commit', '--raw', result.commit], { GNUPGHOME: gnupg });
    expect(verified).toBe('');
    const { execFile } = await import('node:child_process');
    const raw = await new Promise<string>((ok) =>
      execFile(
        'git',
        ['verify-commit', '--raw', result.commit],
        { cwd: dir, env: { ...process.env, GNUPGHOME: gnupg } },
        (_e, _o, err) => ok(err),
      ),
    );
    expect(raw).toContain(`VALIDSIG ${identity.fingerprint}`);
    // files at the ref are exactly base + changes
    const diff = await gitCli(dir, ['diff', '--name-status', base, result.commit]);
    expect(diff.split('\n').sort()).toEqual(
      [
        `A\t${PATCH}`,
        'A\t.salve/remediations/3f9a1c2b7d4e-raise-memory-limit/explanation.md',
        'A\t.salve/remediations/3f9a1c2b7d4e-raise-memory-limit/proof.json',
        `M\t${DEPLOYMENT}`,
      ].sort(),
    );
    expect(await gitCli(dir, ['show', `${result.commit}:${PATCH}`])).toBe('# memory 384Mi');
    expect(await gitCli(dir, ['fsck', '--no-dangling', '--strict'])).toBe('');
    // working tree, index and HEAD untouched
    expect(await gitCli(dir, ['status', '--porcelain'])).toBe(statusBefore);
    expect(await readFile(join(dir, '.git/index'))).toEqual(indexBefore);
    expect(await gitCli(dir, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/main');
    expect(await readFile(join(dir, '.git/salve/pull-requests/3f9a1c2b7d4e-raise-memory-limit.md'), 'utf8')).toBe(
      '# t\n\nlabels: salve\n\nb\n',
    );
  });

  it('leaves an identical re-publish unchanged and replaces a different one with a single commit', async () => {
    const { dir, base, deployment } = await repo();
    const first = await publishLocal(request(base, { files: files(deployment) }), opts(dir));
    const again = await publishLocal(request(base, { files: files(deployment) }), {
      ...opts(dir),
      now: new Date('2025-03-05T00:00:00Z'),
    });
    expect(again).toEqual({ ...first, unchanged: true });
    const other = await publishLocal(request(base, { files: files(deployment, '512Mi') }), opts(dir));
    expect(other.unchanged).toBe(false);
    expect(other.commit).not.toBe(first.commit);
    expect(await gitCli(dir, ['rev-list', '--count', `${base}..salve/3f9a1c2b7d4e-raise-memory-limit`])).toBe('1');
    expect(await gitCli(dir, ['show', `salve/3f9a1c2b7d4e-raise-memory-limit:${PATCH}`])).toBe('# memory 512Mi');
  });

  it('refuses a change whose "before" does not match the base, naming the file', async () => {
    const { dir, base } = await repo();
    const req = request(base, { files: [{ path: DEPLOYMENT, before: 'stale\n', after: 'x\n' }] });
    await expect(publishLocal(req, opts(dir))).rejects.toThrow(
      new PublishError(
        `${DEPLOYMENT}: the base commit does not match the change's "before" (file is different at base)`,
      ),
    );
    await expect(
      gitCli(dir, ['rev-parse', '--verify', '--quiet', 'salve/3f9a1c2b7d4e-raise-memory-limit']),
    ).rejects.toThrow();
  });

  it('pushes to the origin served by git http-backend, and force-pushes a replaced branch', async () => {
    const { dir, base, deployment } = await repo();
    const bare = join(tmp.path, 'remotes', 'push.git');
    await createBareRemote(dir, bare, server.url(repoPath(join(tmp.path, 'remotes'), bare)), { seed: true });
    const first = await publishLocal(request(base, { files: files(deployment) }), {
      ...opts(dir),
      headers: { 'X-Test': '1' },
    });
    expect(first).toMatchObject({ pushed: true, unchanged: false });
    expect(
      await gitCli(tmp.path, ['--git-dir', bare, 'rev-parse', 'refs/heads/salve/3f9a1c2b7d4e-raise-memory-limit']),
    ).toBe(first.commit);
    expect(await gitCli(tmp.path, ['--git-dir', bare, 'verify-commit', first.commit], { GNUPGHOME: gnupg })).toBe('');
    expect(await gitCli(dir, ['symbolic-ref', 'refs/remotes/origin/HEAD'])).toBe('refs/remotes/origin/main');

    const again = await publishLocal(request(base, { files: files(deployment) }), opts(dir));
    expect(again).toMatchObject({ commit: first.commit, pushed: false, unchanged: true });

    const replaced = await publishLocal(request(base, { files: files(deployment, '512Mi') }), opts(dir));
    expect(replaced.pushed).toBe(true);
    expect(
      await gitCli(tmp.path, ['--git-dir', bare, 'rev-parse', 'refs/heads/salve/3f9a1c2b7d4e-raise-memory-limit']),
    ).toBe(replaced.commit);
    expect(await gitCli(dir, ['rev-parse', 'refs/remotes/origin/salve/3f9a1c2b7d4e-raise-memory-limit'])).toBe(
      replaced.commit,
    );
  });

  it('sends only the new objects on the first push of a branch', async () => {
    const { dir, base, deployment } = await repo();
    const bare = join(tmp.path, 'remotes', 'thin.git');
    await createBareRemote(dir, bare, server.url(repoPath(join(tmp.path, 'remotes'), bare)), { seed: true });
    await gitCli(tmp.path, ['--git-dir', bare, 'config', 'receive.unpackLimit', '1']);
    const { readdir } = await import('node:fs/promises');
    const before = new Set((await readdir(join(bare, 'objects', 'pack'))).filter((f) => f.endsWith('.idx')));
    await publishLocal(request(base, { files: files(deployment) }), opts(dir));
    const added = (await readdir(join(bare, 'objects', 'pack'))).filter((f) => f.endsWith('.idx') && !before.has(f));
    expect(added).toHaveLength(1);
    const listing = await gitCli(tmp.path, ['verify-pack', '-v', join(bare, 'objects', 'pack', added[0] as string)]);
    const objects = listing.split('\n').filter((l) => /^[0-9a-f]{40} (commit|tree|blob)/.test(l));
    // 1 commit, 4 blobs, 10 trees on the changed paths; the base tree holds about 60 more objects
    expect(objects.filter((l) => l.includes(' commit ')).length).toBe(1);
    expect(objects.filter((l) => l.includes(' blob ')).length).toBe(4);
    expect(objects.filter((l) => l.includes(' tree ')).length).toBe(10);
  });

  it('pushes nothing without a remote and refuses a named remote that is not configured', async () => {
    const { dir, base, deployment } = await repo();
    const req = request(base, { files: files(deployment) });
    await expect(publishLocal(req, { ...opts(dir), remote: 'upstream' })).rejects.toThrow(
      new PublishError('remote upstream is not configured (have: none)'),
    );
    await expect(publishLocal({ ...req, branch: 'salve/../x' }, opts(dir))).rejects.toThrow(
      'branch name is not valid: salve/../x',
    );
    await expect(publishLocal(req, opts(dir))).resolves.toMatchObject({ pushed: false, unchanged: false });
  });

  it('rolls back every ref when the push fails, and names the step', async () => {
    const { dir, base, deployment } = await repo();
    const bare = join(tmp.path, 'remotes', 'rejecting.git');
    await createBareRemote(dir, bare, server.url(repoPath(join(tmp.path, 'remotes'), bare)), { seed: true });
    await writeFile(join(bare, 'hooks', 'pre-receive'), '#!/bin/sh\necho "no pushes today" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const refsBefore = await gitCli(dir, ['for-each-ref', '--format=%(refname) %(objectname)']);
    const req = request(base, { files: files(deployment) });
    await expect(publishLocal(req, opts(dir))).rejects.toThrow(/^push to origin failed: /);
    expect(await gitCli(dir, ['for-each-ref', '--format=%(refname) %(objectname)'])).toBe(refsBefore);
    await expect(gitCli(dir, ['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD'])).rejects.toThrow();
    expect(await gitCli(tmp.path, ['--git-dir', bare, 'for-each-ref', 'refs/heads/salve'])).toBe('');
  });

  it('restores the previous branch when a replacing push fails (unreachable remote)', async () => {
    const { dir, base, deployment } = await repo();
    const first = await publishLocal(request(base, { files: files(deployment) }), opts(dir));
    await gitCli(dir, ['remote', 'add', 'origin', 'http://127.0.0.1:9/nowhere.git']);
    const err = await publishLocal(request(base, { files: files(deployment, '512Mi') }), opts(dir)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PublishError);
    expect((err as Error).message).toMatch(/^push to origin failed: /);
    expect(await gitCli(dir, ['rev-parse', 'salve/3f9a1c2b7d4e-raise-memory-limit'])).toBe(first.commit);
  });

  it('round-trips readRemediations and changedFiles', async () => {
    const { dir, base, deployment } = await repo();
    const published = await publishLocal(request(base, { files: files(deployment) }), opts(dir));
    expect(await readRemediations(dir, published.branch)).toEqual([
      {
        id: '3f9a1c2b7d4e-raise-memory-limit',
        files: { 'explanation.md': '# raise to 384Mi\n', 'proof.json': '{"v":1}\n' },
      },
    ]);
    expect(await readRemediations(dir, 'main')).toEqual([]);
    const sorted = [...files(deployment)].sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(await changedFiles(dir, base, published.commit)).toEqual(sorted);
  });
});
