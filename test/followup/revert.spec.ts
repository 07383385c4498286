/**
 * The revert of a harmful merged remediation, on a real config repo (the podinfo test bed, a real
 * `salve plan` merged into main), with real git, kustomize and policy; GitHub is nock. The PR is
 * read as a reviewer reads it, its proof re-verified from the real commits, and tampering caught.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SalveOctokit } from '../../engine/app/github.ts';
import { outcomeRecord } from '../../engine/followup/record.ts';
import { assembleRevert } from '../../engine/followup/revert/assemble.ts';
import { createRevertHook, REVERT_FINDING_MARKER } from '../../engine/followup/revert/hook.ts';
import { evaluateRevert } from '../../engine/followup/revert/plan.ts';
import { policyDirs, prepareContext } from '../../engine/pipeline/run.ts';
import { buildBundle, publicKeyInfo } from '../../engine/policy/index.ts';
import { labelsFor, renderBody } from '../../engine/publish/github/markers.ts';
import type { GitHubContext, PublishInput } from '../../engine/publish/github/types.ts';
import { loadConfig } from '../../engine/repo/load-config.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import { verifyRef } from '../../engine/verify/index.ts';
import * as gh from '../app/github-flows.ts';
import { BOT, OWNER, pull, REPO } from '../app/github-replies.ts';
import { type HttpMock, httpMock } from '../app/http-mock.ts';
import { testKeys } from '../pipeline/helpers.ts';
import {
  approvalNote,
  git,
  gitRaw,
  harmfulOutcome,
  jobOf,
  localCheckout,
  type MergedWorld,
  mergedRemediation,
  openRevertFlow,
  PULL,
  PULL_URL,
} from './revert-world.ts';

function github(): GitHubContext {
  const octokit = new SalveOctokit({
    auth: 'ghs_test',
    log: { debug() {}, info() {}, warn() {}, error() {} },
    request: { retries: 0 },
    retry: { retries: 0 },
    throttle: { enabled: false },
  });
  return {
    octokit,
    repo: { owner: OWNER, repo: REPO },
    botLogin: BOT,
    log: silentLogger(),
    now: new Date('2025-06-12T11:00:00Z'),
  };
}

let world: MergedWorld | null = null;
let http: HttpMock | null = null;
afterEach(async () => {
  http?.reset();
  http = null;
  await world?.repo.cleanup();
  world = null;
});

async function hookFor(w: MergedWorld) {
  const keys = await testKeys();
  return createRevertHook({
    github: async () => github(),
    tokenFor: async () => 'ghs_test',
    checkout: localCheckout(w.repo.dir),
    signingKey: keys.signingKey,
    log: silentLogger(),
  });
}

/** The revert's commit on a local branch, as GitHub would hold it: the request's files on its base. */
async function writeFiles(w: MergedWorld, input: PublishInput, branch: string): Promise<void> {
  git(w.repo.dir, ['checkout', '-q', '-f', '-B', branch, input.request.baseCommit]);
  for (const f of input.request.files) {
    const path = join(w.repo.dir, f.path);
    if (f.after === null) {
      await rm(path);
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.after);
  }
  git(w.repo.dir, ['add', '-A']);
  git(w.repo.dir, ['commit', '-q', '-m', input.request.commitMessage]);
}

async function verify(w: MergedWorld, ref: string) {
  const { config } = await loadConfig(w.repo.dir);
  const bundle = await buildBundle(policyDirs(w.repo.dir, config));
  const keys = await testKeys();
  // The revert's own record: the original's proof on this ref speaks of its own base, not this PR.
  return verifyRef({
    repoDir: w.repo.dir,
    ref,
    bundle,
    ids: [`revert-pr-${PULL}`],
    trustedKeys: [publicKeyInfo(keys.signingKey.publicKey, 'test')],
  });
}

describe('revert of a harmful remediation', () => {
  it('opens one revert PR restoring the merge parent, explained with the evidence, and its proof verifies', async () => {
    world = await mergedRemediation();
    const w = world;
    const job = jobOf(w);
    const outcome = harmfulOutcome();
    const record = outcomeRecord(job, outcome);
    const hook = await hookFor(w);

    // What the revert publishes, planned as the hook plans it (the same outcome plans the same bytes).
    const keys = await testKeys();
    const co = await localCheckout(w.repo.dir).clone();
    const ctx = await prepareContext(co.dir, {
      signingKey: keys.signingKey,
      now: new Date(outcome.decidedAt),
      log: silentLogger(),
    });
    const ev = await evaluateRevert(ctx, job, record);
    if (ev.kind !== 'evaluated') throw new Error(ev.reason);
    const planned = await assembleRevert(ctx, ev, job, outcome);
    await ctx.dispose();
    await co.cleanup();
    if (planned.kind !== 'publish') throw new Error(planned.kind);
    http = httpMock();
    const seen = openRevertFlow(http.scope, planned.input.request, 57);
    const result = await hook(job, outcome, record);
    http.verify();
    expect(result).toMatchObject({ kind: 'published', publish: { kind: 'opened', number: 57 } });
    if (result.kind !== 'published') throw new Error('not published');
    const req = result.input.request;
    expect(req).toEqual(planned.input.request);
    expect(req.branch).toBe(`salve/revert-pr-${PULL}`);
    expect(req.metadata).toMatchObject({ id: `revert-pr-${PULL}`, action: 'revert-remediation', mode: 'approve' });

    // The files: every file the merge edited back to its bytes at the merge's parent, and the
    // patch file it added deleted (as `git revert -m 1` would), salve's own record aside.
    const parent = git(w.repo.dir, ['rev-parse', `${w.mergeSha}^1`]);
    const overlayFiles = req.files.filter((f) => !f.path.startsWith('.salve/'));
    const restored = overlayFiles.filter((f) => f.after !== null);
    expect(restored.map((f) => f.path)).toEqual(ev.params.files);
    for (const f of restored) expect(f.after).toBe(gitRaw(w.repo.dir, ['show', `${parent}:${f.path}`]));
    const addedByMerge = w.request.files
      .filter((f) => !f.path.startsWith('.salve/') && f.before === null)
      .map((f) => f.path);
    expect(addedByMerge).toEqual([expect.stringMatching(/\/salve\/raise-memory-limit-deployment-frontend\.yaml$/)]);
    expect(ev.params.added).toEqual(addedByMerge);
    const deleted = overlayFiles.filter((f) => f.after === null);
    expect(deleted.map((f) => f.path)).toEqual(addedByMerge);
    for (const f of deleted) expect(f.before).toBe(gitRaw(w.repo.dir, ['show', `${w.mergeSha}:${f.path}`]));
    expect(ev.params.mergeCommit).toBe(w.mergeSha);
    expect(ev.params.parentCommit).toBe(parent);
    // The rendered change is the merged one, backwards.
    expect(ev.diff.fields.map((f) => [f.kind, f.name, f.path, f.before, f.after])).toEqual(
      w.diff.fields.map((f) => [f.kind, f.name, f.path, f.after, f.before]),
    );
    expect(ev.diff.fields.length).toBeGreaterThan(0);
    expect(ev.decision.rules.map((r) => r.id)).toContain('merge.revert-own-harmful');
    expect(ev.decision.rules.map((r) => r.id)).toContain('safety.revert-inverse');

    // Read as a reviewer: why revert, the evidence, the link, nothing executable or mentioning.
    const body = seen.body;
    expect(seen.title).toContain(`revert pull request ${PULL}`);
    expect(body).toContain('## Why revert');
    expect(body).toContain(`[#${PULL}](${PULL_URL})`);
    expect(body).toContain('salve follow-up: **harmful**');
    expect(body).toContain('http latency 0.9 breaches its limit 0.5 (before: 0.2)');
    expect(body).toContain('`frontend-7c9d-2`');
    expect(body).toMatch(/still firing: KubePodCrashLooping/);
    expect(body).toContain('Synced');
    expect(body).not.toMatch(/(^|[^\\])<(img|b)\b/);
    expect(body).toContain('\\<img src=x onerror=alert(1)\\>');
    expect(body).not.toMatch(/@acme\/sre/);
    expect(body).toContain('## Why allowed');
    expect(body).toContain('```diff');
    expect(body).toContain(`Deletes 1 file the merge added, unchanged since, as \`git revert -m 1\` would:`);
    expect(body).toContain(`- \`${addedByMerge[0]}\``);
    expect(body).toContain(`--- a/${addedByMerge[0]}\n+++ /dev/null\n`);
    // The merged PR links the revert and names the rule that asks a human to merge it.
    expect(seen.note).toContain('salve opened the revert: a human merges it');
    expect(seen.note).toContain('[#57](https://github.com/acme/platform-config/pull/57)');
    expect(seen.note).toContain('| `merge.revert-own-harmful` | require-approval |');
    for (const f of ev.params.files) expect(seen.note).toContain(`- \`${f}\``);

    // Its proof verifies against the real commits once the revert is committed on its branch.
    await writeFiles(w, result.input, req.branch);
    // The branch holds the merge's parent for every overlay file: the added patch file is gone.
    expect(git(w.repo.dir, ['diff', '--name-status', parent, req.branch, '--', '.', ':!.salve'])).toBe('');
    const verdicts = await verify(w, req.branch);
    expect(verdicts.map((v) => [v.id, v.ok, v.action, v.errors])).toEqual([
      [`revert-pr-${PULL}`, true, 'revert-remediation', []],
    ]);

    // A rerun finds the PR as it left it: unchanged, no second PR.
    http = httpMock();
    gh.headLookup(http.scope, req.branch, [
      pull({ number: 57, branch: req.branch, body: renderBody(req), labels: labelsFor(req) }),
    ]);
    approvalNote(http.scope, seen, [seen.note]);
    expect(await hook(job, outcome, record)).toMatchObject({
      kind: 'published',
      publish: { kind: 'unchanged', number: 57 },
    });
    http.verify();
  });

  it('fails verify for a tampered revert: an extra edit or deletion, re-signed deletions, a re-signed edit that is not the parent bytes', async () => {
    world = await mergedRemediation();
    const w = world;
    const job = jobOf(w);
    const outcome = harmfulOutcome();
    const record = outcomeRecord(job, outcome);
    const keys = await testKeys();
    const ctx = await prepareContext(w.repo.dir, {
      signingKey: keys.signingKey,
      now: new Date(outcome.decidedAt),
      log: silentLogger(),
    });
    const ev = await evaluateRevert(ctx, job, record);
    if (ev.kind !== 'evaluated') throw new Error(ev.reason);
    const honest = await assembleRevert(ctx, ev, job, outcome);
    if (honest.kind !== 'publish') throw new Error(honest.kind);

    // An extra edit committed after salve's: not signed.
    await writeFiles(w, honest.input, 'tampered-extra');
    const other = 'deploy/overlays/staging/kustomization.yaml';
    await writeFile(join(w.repo.dir, other), `${git(w.repo.dir, ['show', `HEAD:${other}`])}\n# sneaked in\n`);
    git(w.repo.dir, ['commit', '-q', '-am', 'extra']);
    const [extra] = await verify(w, 'tampered-extra');
    expect(extra?.ok).toBe(false);
    expect(extra?.errors.map((e) => e.file)).toContain(other);

    // A deletion committed after salve's: not signed, named as a deletion.
    await writeFiles(w, honest.input, 'tampered-deletion');
    const dropped = 'deploy/overlays/staging/kustomization.yaml';
    git(w.repo.dir, ['rm', '-q', dropped]);
    git(w.repo.dir, ['commit', '-q', '-m', 'drop']);
    const [deletion] = await verify(w, 'tampered-deletion');
    expect(deletion?.ok).toBe(false);
    expect(deletion?.errors).toContainEqual({
      file: dropped,
      reason: "deleted since the proof's base commit, but not signed by its proof",
    });

    // Deletions signed with the trusted key: a file the merge did not touch, and one it edited.
    const edited = ev.files.find((f) => f.after !== null);
    if (!edited) throw new Error('no restored file');
    const stagingText = gitRaw(w.repo.dir, ['show', `${honest.input.request.baseCommit}:${dropped}`]);
    const deleting = {
      ...ev,
      files: [
        ...ev.files.filter((f) => f !== edited),
        { path: edited.path, before: edited.before, after: null },
        { path: dropped, before: stagingText, after: null },
      ],
    };
    const signedDeletion = await assembleRevert(ctx, deleting, job, outcome);
    if (signedDeletion.kind !== 'publish') throw new Error(signedDeletion.kind);
    await writeFiles(w, signedDeletion.input, 'tampered-signed-deletion');
    const [signedVerdict] = await verify(w, 'tampered-signed-deletion');
    expect(signedVerdict?.ok).toBe(false);
    expect(signedVerdict?.errors).toContainEqual({
      file: dropped,
      reason: 'revert-not-inverse: the merge of #41 did not change this file',
    });
    expect(signedVerdict?.errors).toContainEqual({
      file: edited.path,
      reason: expect.stringMatching(
        /^revert-not-inverse: deleted, but it was at [0-9a-f]{12}, before the merge of #41$/,
      ),
    });

    // A restored file that is not the parent's bytes, signed with the trusted key: the commits say no.
    const first = ev.files[0];
    if (!first) throw new Error('no restored file');
    const bent = { ...ev, files: [{ ...first, after: `${first.after}# not what ran before\n` }, ...ev.files.slice(1)] };
    const signed = await assembleRevert(ctx, bent, job, outcome);
    if (signed.kind !== 'publish') throw new Error(signed.kind);
    await writeFiles(w, signed.input, 'tampered-signed');
    const [bentVerdict] = await verify(w, 'tampered-signed');
    expect(bentVerdict?.ok).toBe(false);
    expect(bentVerdict?.errors).toContainEqual({
      file: first.path,
      reason: expect.stringMatching(/^revert-not-inverse: not its bytes at [0-9a-f]{12}, before the merge of #41$/),
    });
    await ctx.dispose();
  });

  it('opens no PR when a file the merge changed moved since: a finding on the merged PR, said once', async () => {
    world = await mergedRemediation();
    const w = world;
    const restoredPath = w.request.files.find((f) => !f.path.startsWith('.salve/') && f.before !== null)?.path;
    if (!restoredPath) throw new Error('the remediation edits no existing file');
    git(w.repo.dir, ['checkout', '-q', '-f', 'main']);
    await writeFile(
      join(w.repo.dir, restoredPath),
      `${git(w.repo.dir, ['show', `main:${restoredPath}`])}\n# a later human edit\n`,
    );
    git(w.repo.dir, ['commit', '-q', '-am', 'a human edit after the merge']);
    const job = jobOf(w);
    const outcome = harmfulOutcome();
    const hook = await hookFor(w);
    http = httpMock();
    let comment = '';
    http.scope.get(`${gh.REPO_PATH}/issues/${PULL}/comments`).query(true).reply(200, []);
    http.scope
      .post(`${gh.REPO_PATH}/issues/${PULL}/comments`, (b: { body: string }) => {
        comment = b.body;
        return true;
      })
      .reply(201, { id: 9 });
    const result = await hook(job, outcome, outcomeRecord(job, outcome));
    http.verify();
    expect(result).toMatchObject({ kind: 'finding', files: [restoredPath] });
    expect(comment).toContain(REVERT_FINDING_MARKER);
    expect(comment).toContain('salve opens no revert');
    expect(comment).toContain('changed again after it');

    // Said once: a rerun sees its comment and writes nothing.
    http = httpMock();
    http.scope
      .get(`${gh.REPO_PATH}/issues/${PULL}/comments`)
      .query(true)
      .reply(200, [{ id: 9, body: comment, user: { login: BOT, type: 'Bot' } }]);
    expect(await hook(job, outcome, outcomeRecord(job, outcome))).toMatchObject({ kind: 'finding' });
    http.verify();
  });

  it('deletes no added file changed since the merge: the revert is a finding, as for an edited one', async () => {
    world = await mergedRemediation();
    const w = world;
    const addedPath = w.request.files.find((f) => !f.path.startsWith('.salve/') && f.before === null)?.path;
    if (!addedPath) throw new Error('the remediation adds no file');
    git(w.repo.dir, ['checkout', '-q', '-f', 'main']);
    await writeFile(
      join(w.repo.dir, addedPath),
      `${git(w.repo.dir, ['show', `main:${addedPath}`])}\n# tuned by hand\n`,
    );
    git(w.repo.dir, ['commit', '-q', '-am', 'a human edit of the added patch']);
    const job = jobOf(w);
    const outcome = harmfulOutcome();
    const keys = await testKeys();
    const ctx = await prepareContext(w.repo.dir, {
      signingKey: keys.signingKey,
      now: new Date(outcome.decidedAt),
      log: silentLogger(),
    });
    try {
      const ev = await evaluateRevert(ctx, job, outcomeRecord(job, outcome));
      expect(ev).toMatchObject({ kind: 'finding', files: [addedPath] });
      if (ev.kind !== 'finding') throw new Error('not a finding');
      expect(ev.reason).toContain('changed again after it');
    } finally {
      await ctx.dispose();
    }
  });

  it('never reverts a revert, nor an outcome that is not harmful', async () => {
    world = await mergedRemediation();
    const job = jobOf(world);
    const hook = await hookFor(world);
    const ok = { ...harmfulOutcome(), kind: 'effective' as const };
    expect(await hook(job, ok, outcomeRecord(job, ok))).toEqual({ kind: 'skipped', reason: 'outcome effective' });
    const revertJob = { ...job, remediation: { ...job.remediation, action: 'revert-remediation' } };
    const bad = harmfulOutcome();
    expect(await hook(revertJob, bad, outcomeRecord(revertJob, bad))).toMatchObject({ kind: 'skipped' });
  });
});
