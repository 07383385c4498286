import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, PublishError } from '../model/index.ts';
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

  it('pushes over smart HTTP with headers (the App), then with git: unchanged, then replaced under a lease', async () => {
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

  it('pushes a deletion over smart HTTP (the App) and with git: the file gone from the remote tree', async () => {
    const { dir, base, deployment } = await repo();
    const gone = 'deploy/bases/cache/redis.conf';
    const text = await readFile(join(dir, gone), 'utf8');
    const withDeletion = [...files(deployment), { path: gone, before: text, after: null }];
    const bare = join(tmp.path, 'remotes', 'deleting.git');
    await createBareRemote(dir, bare, server.url(repoPath(join(tmp.path, 'remotes'), bare)), { seed: true });
    const viaApp = await publishLocal(request(base, { files: withDeletion }), {
      ...opts(dir),
      headers: { 'X-Test': '1' },
    });
    expect(viaApp).toMatchObject({ pushed: true, unchanged: false });
    const listed = (commit: string, gitDir: string) =>
      gitCli(tmp.path, ['--git-dir', gitDir, 'ls-tree', '-r', '--name-only', commit, 'deploy/bases/cache/']);
    const baseListing = (await listed(base, join(dir, '.git'))).split('\n');
    expect(baseListing).toContain(gone);
    expect((await listed(viaApp.commit, bare)).split('\n')).toEqual(baseListing.filter((p) => p !== gone));
    expect(await gitCli(tmp.path, ['--git-dir', bare, 'diff', '--name-status', base, viaApp.commit, '--', gone])).toBe(
      `D\t${gone}`,
    );
    await gitCli(tmp.path, ['--git-dir', bare, 'fsck', '--strict', '--no-dangling', '--no-progress']);
    expect(await changedFiles(dir, base, viaApp.commit)).toContainEqual({ path: gone, before: text, after: null });

    // The user's git, to a local-path remote.
    const byPath = join(tmp.path, 'remotes', 'deleting-by-path.git');
    await gitCli(tmp.path, ['init', '--bare', '--quiet', '--initial-branch=main', byPath]);
    await gitCli(dir, ['remote', 'add', 'upstream', byPath]);
    const viaGit = await publishLocal(request(base, { files: withDeletion }), { ...opts(dir), remote: 'upstream' });
    expect(viaGit).toMatchObject({ commit: viaApp.commit, pushed: true });
    expect(
      await gitCli(tmp.path, ['--git-dir', byPath, 'cat-file', '-e', `${viaGit.commit}:${gone}`]).catch(() => 'absent'),
    ).toBe('absent');
  });

  it('sends only the new objects on the first push of a branch', async () => {
    const { dir, base, deployment } = await repo();
    const bare = join(tmp.path, 'remotes', 'thin.git');
    await createBareRemote(dir, bare, server.url(repoPath(join(tmp.path, 'remotes'), bare)), { seed: true });
    await gitCli(tmp.path, ['--git-dir', bare, 'config', 'receive.unpackLimit', '1']);
    const { readdir } = await import('node:fs/promises');
    const before = new Set((await readdir(join(bare, 'objects', 'pack'))).filter((f) => f.endsWith('.idx')));
    // The App's path (isomorphic-git over HTTP, token in a header) computes the objects itself.
    await publishLocal(request(base, { files: files(deployment) }), { ...opts(dir), headers: { 'X-Test': '1' } });
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
    // A --remote that names no remote is bad input (exit 2), not a failed publish.
    await expect(publishLocal(req, { ...opts(dir), remote: 'upstream' })).rejects.toThrow(
      new InputError('remote upstream is not configured (have: none)', { code: 'no-such-remote' }),
    );
    await expect(publishLocal({ ...req, branch: 'salve/../x' }, opts(dir))).rejects.toThrow(
      'branch name is not valid: salve/../x',
    );
    await expect(publishLocal(req, opts(dir))).resolves.toMatchObject({ pushed: false, unchanged: false });
  });

  it('keeps the local branch when the remote rejects the push, says so, and pushes it on the next run', async () => {
    const { dir, base, deployment } = await repo();
    const bare = join(tmp.path, 'remotes', 'rejecting.git');
    await createBareRemote(dir, bare, server.url(repoPath(join(tmp.path, 'remotes'), bare)), { seed: true });
    const hook = join(bare, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "no pushes today" >&2\nexit 1\n', { mode: 0o755 });
    const req = request(base, { files: files(deployment) });
    const err = await publishLocal(req, opts(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PublishError);
    expect((err as PublishError).code).toBe('push-failed');
    expect((err as Error).message).toMatch(/^push to origin failed: git push failed: .*no pushes today/);
    const local = await gitCli(dir, ['rev-parse', 'refs/heads/salve/3f9a1c2b7d4e-raise-memory-limit']);
    expect((err as Error).message).toContain(
      `The commit stays on the local branch salve/3f9a1c2b7d4e-raise-memory-limit (${local.slice(0, 12)})`,
    );
    expect(await gitCli(tmp.path, ['--git-dir', bare, 'for-each-ref', 'refs/heads/salve'])).toBe('');

    const { rm } = await import('node:fs/promises');
    await rm(hook);
    const retry = await publishLocal(req, { ...opts(dir), now: new Date('2025-03-04T11:00:00Z') });
    expect(retry).toMatchObject({ commit: local, unchanged: true, pushed: true, frozen: null });
    expect(
      await gitCli(tmp.path, ['--git-dir', bare, 'rev-parse', 'refs/heads/salve/3f9a1c2b7d4e-raise-memory-limit']),
    ).toBe(local);
  });

  it('keeps the new commit locally when a replacing push fails (unreachable remote)', async () => {
    const { dir, base, deployment } = await repo();
    const first = await publishLocal(request(base, { files: files(deployment) }), opts(dir));
    await gitCli(dir, ['remote', 'add', 'origin', 'http://127.0.0.1:9/nowhere.git']);
    const err = await publishLocal(request(base, { files: files(deployment, '512Mi') }), opts(dir)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PublishError);
    expect((err as Error).message).toMatch(/^push to origin failed: /);
    const now = await gitCli(dir, ['rev-parse', 'salve/3f9a1c2b7d4e-raise-memory-limit']);
    expect(now).not.toBe(first.commit);
    expect(await gitCli(dir, ['show', `${now}:${PATCH}`])).toBe('# memory 512Mi');
  });

  it("pushes with the user's git to a local-path remote, and not at all with push: false", async () => {
    const { dir, base, deployment } = await repo();
    const bare = join(tmp.path, 'remotes', 'by-path.git');
    await gitCli(tmp.path, ['init', '--bare', '--quiet', '--initial-branch=main', bare]);
    await gitCli(dir, ['remote', 'add', 'upstream', bare]);
    const local = await publishLocal(request(base, { files: files(deployment) }), {
      ...opts(dir),
      remote: 'upstream',
      push: false,
    });
    expect(local).toMatchObject({ pushed: false, unchanged: false });
    expect(await gitCli(tmp.path, ['--git-dir', bare, 'for-each-ref'])).toBe('');

    const pushed = await publishLocal(request(base, { files: files(deployment) }), {
      ...opts(dir),
      remote: 'upstream',
    });
    expect(pushed).toMatchObject({ commit: local.commit, pushed: true, unchanged: true, frozen: null });
    expect(
      await gitCli(tmp.path, ['--git-dir', bare, 'rev-parse', 'refs/heads/salve/3f9a1c2b7d4e-raise-memory-limit']),
    ).toBe(local.commit);
    expect(await gitCli(tmp.path, ['--git-dir', bare, 'verify-commit', local.commit], { GNUPGHOME: gnupg })).toBe('');
    expect(await gitCli(dir, ['rev-parse', 'refs/remotes/upstream/salve/3f9a1c2b7d4e-raise-memory-limit'])).toBe(
      local.commit,
    );
  });

  it('leaves a rerun that would only restamp the proof unchanged, and commits a new decision', async () => {
    const { dir, base, deployment } = await repo();
    const proofAt = (time: string, mode = 'approve') =>
      `${JSON.stringify({ createdAt: time, input: { time: { now: time, hour: 10 }, release: { ageSeconds: 60 } }, decision: { mode } }, null, 2)}\n`;
    const withProof = (proof: string) => [
      ...files(deployment).filter((f) => !f.path.endsWith('proof.json')),
      { path: '.salve/remediations/3f9a1c2b7d4e-raise-memory-limit/proof.json', before: null, after: proof },
      {
        path: '.salve/remediations/3f9a1c2b7d4e-raise-memory-limit/proof.dsse.json',
        before: null,
        after: `{"sig":"${time(proof)}"}\n`,
      },
    ];
    const time = (proof: string) => JSON.parse(proof).createdAt as string;
    const first = await publishLocal(request(base, { files: withProof(proofAt('2025-03-04T10:05:00Z')) }), opts(dir));
    const rerun = await publishLocal(request(base, { files: withProof(proofAt('2025-03-04T16:40:00Z')) }), {
      ...opts(dir),
      now: new Date('2025-03-04T16:40:00Z'),
    });
    expect(rerun).toEqual({ ...first, unchanged: true });
    expect(
      await gitCli(dir, ['show', `${first.commit}:.salve/remediations/3f9a1c2b7d4e-raise-memory-limit/proof.json`]),
    ).toContain('10:05');

    const decided = await publishLocal(
      request(base, { files: withProof(proofAt('2025-03-04T16:41:00Z', 'automate')) }),
      opts(dir),
    );
    expect(decided.unchanged).toBe(false);
    expect(decided.commit).not.toBe(first.commit);
  });

  it('freezes a local branch with a commit salve did not make, and one that was amended', async () => {
    const { dir, base, deployment } = await repo();
    const branch = 'salve/3f9a1c2b7d4e-raise-memory-limit';
    const first = await publishLocal(request(base, { files: files(deployment) }), opts(dir));
    await gitCli(dir, ['checkout', '--quiet', branch]);
    await writeFile(join(dir, PATCH), '# memory 400Mi, says a human\n');
    await gitCli(dir, ['commit', '--quiet', '--no-gpg-sign', '-am', 'a better limit']);
    const human = await gitCli(dir, ['rev-parse', 'HEAD']);
    await gitCli(dir, ['checkout', '--quiet', 'main']);
    const frozen = await publishLocal(request(base, { files: files(deployment, '512Mi') }), opts(dir));
    expect(frozen).toMatchObject({ commit: human, pushed: false, unchanged: true });
    expect(frozen.frozen).toBe(
      `local branch ${branch}: commit ${human.slice(0, 12)} by Dev <dev@example.com> was not made by salve`,
    );
    expect(await gitCli(dir, ['rev-parse', branch])).toBe(human);

    await gitCli(dir, ['branch', '--quiet', '--force', branch, first.commit]);
    await gitCli(dir, ['checkout', '--quiet', branch]);
    await gitCli(dir, ['commit', '--quiet', '--no-gpg-sign', '--amend', '--no-edit'], {
      GIT_COMMITTER_DATE: '2025-03-05T00:00:00Z',
    });
    const amended = await gitCli(dir, ['rev-parse', 'HEAD']);
    await gitCli(dir, ['checkout', '--quiet', 'main']);
    const again = await publishLocal(request(base, { files: files(deployment, '512Mi') }), opts(dir));
    expect(again.frozen).toMatch(/was amended or rebased by Dev <dev@example.com>$/);
    expect(await gitCli(dir, ['rev-parse', branch])).toBe(amended);
  });

  it("replaces salve's commit for another remediation on the same branch (a superseded one), locally and remotely", async () => {
    const { dir, base, deployment } = await repo();
    const bare = join(tmp.path, 'remotes', `supersede-${n}.git`);
    await gitCli(tmp.path, ['init', '--bare', '--quiet', '--initial-branch=main', bare]);
    await gitCli(dir, ['remote', 'add', 'origin', bare]);
    const first = await publishLocal(request(base, { files: files(deployment) }), opts(dir));
    const other = '9e8d7c6b5a4f-rollback-image';
    const next = await publishLocal(
      request(base, {
        id: other,
        files: files(deployment, '640Mi').map((f) => ({
          ...f,
          path: f.path.replace('3f9a1c2b7d4e-raise-memory-limit', other),
        })),
        commitMessage: `salve: roll back backend\n\nSalve-Remediation: ${other}\n`,
      }),
      opts(dir),
    );
    expect(next).toMatchObject({ branch: first.branch, pushed: true, unchanged: false, frozen: null });
    expect(await gitCli(tmp.path, ['--git-dir', bare, 'rev-parse', `refs/heads/${first.branch}`])).toBe(next.commit);
  });

  it('never overwrites a remote branch that holds a human commit, and replaces its own under a lease', async () => {
    const { dir, base, deployment } = await repo();
    const branch = 'salve/3f9a1c2b7d4e-raise-memory-limit';
    const bare = join(tmp.path, 'remotes', 'shared.git');
    await gitCli(tmp.path, ['init', '--bare', '--quiet', '--initial-branch=main', bare]);
    await gitCli(dir, ['remote', 'add', 'origin', bare]);
    await gitCli(dir, ['push', '--quiet', 'origin', 'main']);
    const first = await publishLocal(request(base, { files: files(deployment) }), opts(dir));
    expect(first.pushed).toBe(true);

    // A colleague adds a commit to the branch from their own clone.
    const clone = join(tmp.path, `clone-${n}`);
    await gitCli(tmp.path, ['clone', '--quiet', '--branch', branch, bare, clone]);
    await writeFile(join(clone, PATCH), '# memory 400Mi\n');
    await gitCli(clone, ['commit', '--quiet', '--no-gpg-sign', '-am', 'tune by hand']);
    await gitCli(clone, ['push', '--quiet', 'origin', branch]);
    const human = await gitCli(clone, ['rev-parse', 'HEAD']);

    const next = await publishLocal(request(base, { files: files(deployment, '512Mi') }), opts(dir));
    expect(next.pushed).toBe(false);
    expect(next.frozen).toBe(
      `origin/${branch}: commit ${human.slice(0, 12)} by Dev <dev@example.com> was not made by salve`,
    );
    expect(await gitCli(tmp.path, ['--git-dir', bare, 'rev-parse', `refs/heads/${branch}`])).toBe(human);

    // Once the colleague's commit is gone (say, they reset the branch to salve's), salve replaces its own.
    await gitCli(clone, ['push', '--quiet', '--force', 'origin', `${first.commit}:refs/heads/${branch}`]);
    const replaced = await publishLocal(request(base, { files: files(deployment, '768Mi') }), opts(dir));
    expect(replaced).toMatchObject({ pushed: true, frozen: null, unchanged: false });
    expect(await gitCli(tmp.path, ['--git-dir', bare, 'rev-parse', `refs/heads/${branch}`])).toBe(replaced.commit);
  });

  it('pushes a new branch in one go, and freezes one a colleague already made on the remote', async () => {
    const { dir, base, deployment } = await repo();
    const branch = 'salve/3f9a1c2b7d4e-raise-memory-limit';
    const bare = join(tmp.path, 'remotes', `made-${n}.git`);
    await gitCli(tmp.path, ['init', '--bare', '--quiet', '--initial-branch=main', bare]);
    await gitCli(dir, ['remote', 'add', 'origin', bare]);
    await gitCli(dir, ['push', '--quiet', 'origin', 'main']);
    // The branch exists on the remote only: this checkout has neither it nor its tracking ref.
    const clone = join(tmp.path, `colleague-${n}`);
    await gitCli(tmp.path, ['clone', '--quiet', bare, clone]);
    await gitCli(clone, ['checkout', '--quiet', '-b', branch]);
    await writeFile(join(clone, 'NOTES.md'), 'memory: tune by hand\n');
    await gitCli(clone, ['add', 'NOTES.md']);
    await gitCli(clone, ['commit', '--quiet', '--no-gpg-sign', '-m', 'tune by hand']);
    await gitCli(clone, ['push', '--quiet', 'origin', branch]);
    const human = await gitCli(clone, ['rev-parse', 'HEAD']);
    const frozen = await publishLocal(request(base, { files: files(deployment) }), opts(dir));
    expect(frozen.pushed).toBe(false);
    expect(frozen.frozen).toBe(
      `origin/${branch}: commit ${human.slice(0, 12)} by Dev <dev@example.com> was not made by salve`,
    );
    expect(await gitCli(tmp.path, ['--git-dir', bare, 'rev-parse', `refs/heads/${branch}`])).toBe(human);

    const other = 'salve/0a1b2c3d4e5f-raise-memory-limit';
    const pushed = await publishLocal(request(base, { branch: other, files: files(deployment) }), opts(dir));
    expect(pushed).toMatchObject({ pushed: true, frozen: null });
    expect(await gitCli(tmp.path, ['--git-dir', bare, 'rev-parse', `refs/heads/${other}`])).toBe(pushed.commit);
    expect(await gitCli(dir, ['rev-parse', `refs/remotes/origin/${other}`])).toBe(pushed.commit);
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
