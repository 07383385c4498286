import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePublish } from '../../engine/app/__fixtures__/requests.ts';
import { gitCheckout } from '../../engine/app/checkout.ts';
import { gitCommitWriter } from '../../engine/app/git-publish.ts';
import { SalveOctokit } from '../../engine/app/github.ts';
import { createBareRemote, type GitServer, repoPath, startGitServer } from '../../engine/publish/git-server.ts';
import { labelsFor } from '../../engine/publish/github/markers.ts';
import { ensurePullRequest } from '../../engine/publish/github/pull-request.ts';
import { generateSigningIdentity, type SigningIdentity } from '../../engine/publish/pgp.ts';
import * as gh from './github-flows.ts';
import { BOT, OWNER, REPO } from './github-replies.ts';
import { httpMock } from './http-mock.ts';

const run = promisify(execFile);
const git = async (cwd: string, ...args: string[]) => (await run('git', args, { cwd })).stdout.trim();
const NOW = new Date('2025-03-04T10:00:00Z');
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

describe('app: git publish path against a real smart-HTTP server', () => {
  let root: string;
  let server: GitServer;
  let bare: string;
  let identity: SigningIdentity;
  let baseCommit: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'salve-gitpath-'));
    const work = join(root, 'work');
    await mkdir(join(work, 'overlays/staging'), { recursive: true });
    await writeFile(join(work, 'overlays/staging/kustomization.yaml'), 'resources:\n  - ../../base\n');
    await writeFile(join(work, '.salve.yaml'), 'apiVersion: salve.dev/v1\nholdPeriod: 30m\n');
    await git(work, 'init', '-q', '-b', 'main');
    await git(work, 'add', '.');
    await git(work, '-c', 'user.name=dev', '-c', 'user.email=dev@example.com', 'commit', '-q', '-m', 'config repo');
    baseCommit = await git(work, 'rev-parse', 'HEAD');
    server = await startGitServer(join(root, 'remotes'));
    bare = join(root, 'remotes', OWNER, `${REPO}.git`);
    await mkdir(join(root, 'remotes', OWNER), { recursive: true });
    await createBareRemote(work, bare, server.url(repoPath(join(root, 'remotes'), bare)), { seed: true });
    identity = await generateSigningIdentity({ name: 'salve', email: 'bot@salve.dev' });
  });
  afterAll(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('clones shallowly with the token in a header, then opens the PR around a signed, pushed commit', async () => {
    const template = server.url('{owner}/{repo}.git');
    const co = await gitCheckout({ urlTemplate: template }).prepare(
      { owner: OWNER, repo: REPO },
      'ghs_tokenForTheGitServer000000000000',
    );
    try {
      expect(co.baseBranch).toBe('main');
      expect(co.baseCommit).toBe(baseCommit);
      // Objects only: nothing of the repo is written to disk, everything is read from the commit.
      expect(await git(co.dir, 'show', 'HEAD:.salve.yaml')).toContain('holdPeriod: 30m');
      await expect(readFile(join(co.dir, '.salve.yaml'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await readFile(join(co.dir, '.git/config'), 'utf8')).not.toContain('ghs_');
      expect(await git(co.dir, 'rev-list', '--count', 'HEAD')).toBe('1');

      const r = fixturePublish({ baseCommit: co.baseCommit, mode: 'approve' });
      const req = r.request;
      const writer = gitCommitWriter({
        author: { name: 'salve', email: 'bot@salve.dev' },
        signing: { armoredPrivateKey: identity.armoredPrivateKey },
        clock: { now: () => NOW },
      })(co, 'ghs_tokenForTheGitServer000000000000');

      const mock = httpMock();
      gh.headLookup(mock.scope, req.branch, []);
      gh.inventory(mock.scope, []);
      gh.branchMissing(mock.scope, req.branch);
      let pushed = '';
      mock.scope
        .post(`${gh.REPO_PATH}/pulls`, (b: { head: string }) => b.head === req.branch)
        .reply(201, async () => {
          pushed = await git(bare, 'rev-parse', `refs/heads/${req.branch}`);
          return { number: 51, node_id: 'PR_kw51', html_url: `https://github.com/${OWNER}/${REPO}/pull/51` };
        });
      gh.addLabels(mock.scope, 51, labelsFor(req));
      gh.codeowners(mock.scope, req.baseCommit, null);
      // The policy check goes on the pushed commit before the PR opens.
      let checked = '';
      mock.scope.post(`${gh.REPO_PATH}/check-runs`).reply(201, async (_uri, body) => {
        checked = (body as { head_sha: string }).head_sha;
        expect(checked).toBe(await git(bare, 'rev-parse', `refs/heads/${req.branch}`));
        return { id: 1 };
      });
      const octokit = new SalveOctokit({
        auth: 'ghs_x',
        log: silent,
        request: { retries: 0 },
        retry: { enabled: false },
        throttle: { enabled: false, onRateLimit: () => false, onSecondaryRateLimit: () => false },
      });
      const outcome = await ensurePullRequest(
        {
          octokit,
          repo: { owner: OWNER, repo: REPO },
          botLogin: BOT,
          log: silent,
          now: NOW,
          writeCommit: writer.write,
          ownEmails: writer.ownEmails,
        },
        { request: req, decision: r.remediation.decision, proofDigest: r.remediation.proofDigest },
        { holdPeriodMs: 1_800_000, openPullRequests: 5, pullRequestsPerHour: 2 },
      );
      mock.verify();
      expect(outcome).toMatchObject({ kind: 'opened', number: 51, head: pushed });
      expect(checked).toBe(pushed);

      // The branch on the server: one signed commit on the base holding exactly the request's files.
      const raw = await git(bare, 'cat-file', '-p', pushed);
      expect(raw).toContain(`parent ${baseCommit}`);
      expect(raw).toContain('gpgsig -----BEGIN PGP SIGNATURE-----');
      expect(raw).toContain('author salve <bot@salve.dev>');
      for (const f of req.files) expect(await git(bare, 'show', `${pushed}:${f.path}`)).toBe((f.after ?? '').trimEnd());
    } finally {
      await co.cleanup();
    }
  });

  it('reports a clone failure as a PublishError naming the repository, without the token', async () => {
    const co = gitCheckout({ urlTemplate: server.url('{owner}/missing.git') });
    const err = await co
      .prepare({ owner: OWNER, repo: 'missing' }, 'ghs_secretTokenValue000000000000000')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'PublishError', code: 'checkout-failed' });
    expect((err as Error).message).toContain(`${OWNER}/missing`);
    expect((err as Error).message).not.toContain('ghs_secret');
  });
});
