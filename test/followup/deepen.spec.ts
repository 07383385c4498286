/**
 * The revert needs the merge commit and its first parent; the App's checkout is a depth-1 clone over
 * smart HTTP. deepenClone fetches deeper until both are there, against a real `git http-backend`
 * serving a config repo whose merged remediation is buried under later commits, and gives up at its
 * bound, where the revert becomes a finding rather than a guess.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepenClone, gitCheckout } from '../../engine/app/checkout.ts';
import { firstParent } from '../../engine/followup/revert/git.ts';
import { evaluateRevert } from '../../engine/followup/revert/plan.ts';
import { prepareContext } from '../../engine/pipeline/run.ts';
import { createBareRemote, type GitServer, repoPath, startGitServer } from '../../engine/publish/git-server.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import { OWNER, REPO } from '../app/github-replies.ts';
import { testKeys } from '../pipeline/helpers.ts';
import { git, jobOf, type MergedWorld, mergedRemediation } from './revert-world.ts';

const TOKEN = 'ghs_deepenTokenForTheGitServer0000000';
/** Commits on main after the merge: more than the first deepening step (50) fetches. */
const LATER = 70;

describe('deepenClone against a real smart-HTTP remote', () => {
  let root: string;
  let server: GitServer;
  let w: MergedWorld;
  let parent: string;

  beforeAll(async () => {
    w = await mergedRemediation();
    parent = git(w.repo.dir, ['rev-parse', `${w.mergeSha}^1`]);
    git(w.repo.dir, ['checkout', '-q', '-f', 'main']);
    for (let i = 0; i < LATER; i++)
      git(w.repo.dir, [
        '-c',
        'user.name=dev',
        '-c',
        'user.email=dev@example.com',
        'commit',
        '-q',
        '--allow-empty',
        '-m',
        `later change ${i}`,
      ]);
    root = await mkdtemp(join(tmpdir(), 'salve-deepen-'));
    const remotes = join(root, 'remotes');
    await mkdir(join(remotes, OWNER), { recursive: true });
    server = await startGitServer(remotes);
    const bare = join(remotes, OWNER, `${REPO}.git`);
    await createBareRemote(w.repo.dir, bare, server.url(repoPath(remotes, bare)), { seed: true });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
    await w?.repo.cleanup();
  });

  const checkout = () =>
    gitCheckout({ urlTemplate: server.url('{owner}/{repo}.git'), tmpRoot: root }).prepare(
      { owner: OWNER, repo: REPO },
      TOKEN,
    );

  it('fetches until the merge and its first parent are in the clone, and the revert evaluates', async () => {
    const co = await checkout();
    try {
      expect(git(co.dir, ['rev-list', '--count', 'HEAD'])).toBe('1');
      expect(await firstParent(co.dir, w.mergeSha)).toBeNull();
      const job = jobOf(w);
      const record = {
        version: 1 as const,
        repo: `${OWNER}/${REPO}`.toLowerCase(),
        pull: job.pull,
        remediation: job.remediation.id,
        action: job.remediation.action,
        cluster: job.remediation.target.cluster,
        namespace: job.remediation.target.namespace,
        kind: 'harmful' as const,
        overall: 1,
        mergeSha: w.mergeSha,
        decidedAt: '2025-06-12T11:00:00.000Z',
      };
      const opts = { signingKey: (await testKeys()).signingKey, now: new Date(record.decidedAt), log: silentLogger() };
      // Shallow: the history the revert is computed from is not there.
      const before = await prepareContext(co.dir, opts);
      try {
        expect((await evaluateRevert(before, job, record)).kind).toBe('finding');
      } finally {
        await before.dispose();
      }

      await deepenClone(co.dir, TOKEN, w.mergeSha);
      expect(await firstParent(co.dir, w.mergeSha)).toBe(parent);
      // Two deepening steps (50, then 200), not the whole history of an unbounded fetch.
      expect(Number(git(co.dir, ['rev-list', '--count', 'HEAD']))).toBeGreaterThan(LATER + 1);
      expect(git(co.dir, ['show', `${parent}:${w.request.files[0]?.path}`])).toBe(
        git(w.repo.dir, ['show', `${parent}:${w.request.files[0]?.path}`]),
      );
      const after = await prepareContext(co.dir, opts);
      try {
        const ev = await evaluateRevert(after, job, record);
        if (ev.kind !== 'evaluated') throw new Error(`expected an evaluated revert, got: ${ev.reason}`);
        expect(ev.params.parentCommit).toBe(parent);
        expect(ev.params.mergeCommit).toBe(w.mergeSha);
      } finally {
        await after.dispose();
      }
    } finally {
      await co.cleanup();
    }
  });

  it('stops at its bound when the merge is deeper, leaving the parent absent', async () => {
    const co = await checkout();
    try {
      await deepenClone(co.dir, TOKEN, w.mergeSha, 20);
      expect(await firstParent(co.dir, w.mergeSha)).toBeNull();
      expect(git(co.dir, ['rev-list', '--count', 'HEAD'])).toBe('20');
    } finally {
      await co.cleanup();
    }
  });
});
