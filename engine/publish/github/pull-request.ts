/**
 * ensurePullRequest: one PR per remediation branch (fingerprint + action), opened once, updated in
 * place, never reopened within the hold period, frozen when someone else commits, capped.
 */
import { reconcileAutoMerge } from './auto-merge.ts';
import { reportCheck } from './check-run.ts';
import { parseCodeowners, readCodeowners, reviewersFor } from './codeowners.ts';
import { branchHead, createRemediationCommit, deleteBranch, statusOf, writeBranch } from './commit.ts';
import { frozenBy, noteFrozen } from './freeze.ts';
import { capReached, closeSuperseded, listSalvePulls } from './inventory.ts';
import {
  contentHash,
  filesHash,
  labelNames,
  labelsFor,
  readHashes,
  readMetadata,
  renderBody,
  SUPERSEDED_MARKER,
} from './markers.ts';
import type { GitHubContext, PublishInput, PublishLimits, PublishOutcome, PullSummary } from './types.ts';

export async function ensurePullRequest(
  ctx: GitHubContext,
  input: PublishInput,
  limits: PublishLimits,
): Promise<PublishOutcome> {
  const req = input.request;
  const { data } = await ctx.octokit.rest.pulls.list({
    ...ctx.repo,
    head: `${ctx.repo.owner}:${req.branch}`,
    state: 'all',
    per_page: 100,
  });
  const pulls = data as PullSummary[];
  const open = pulls.find((p) => p.state === 'open');
  if (open) return updatePull(ctx, input, open);

  // The branch is the workload's: the hold applies to the action that was closed or merged, not
  // to another remediation of the same workload (a rejected memory raise must not hold a rollback).
  const lastClosed = pulls
    .filter((p) => p.closed_at !== null)
    .sort((a, b) => Date.parse(b.closed_at ?? '') - Date.parse(a.closed_at ?? ''))[0];
  const closedAction = readMetadata(lastClosed?.body)?.action;
  const sameAction = closedAction === undefined || closedAction === req.metadata.action;
  if (
    lastClosed?.closed_at &&
    sameAction &&
    ctx.now.getTime() - Date.parse(lastClosed.closed_at) < limits.holdPeriodMs
  ) {
    return { kind: 'held', number: lastClosed.number, closedAt: lastClosed.closed_at };
  }
  return openPull(ctx, input, limits);
}

/**
 * Opens the PR in an order that a crash at any step leaves finishable: the commit and its branch,
 * the policy check on that commit, the PR (its body already carries the content hash), reviewers,
 * auto-merge and supersession, and the labels last. A PR without the `salve` label is unfinished:
 * the next run (see updatePull) finishes it instead of calling it unchanged.
 */
async function openPull(ctx: GitHubContext, input: PublishInput, limits: PublishLimits): Promise<PublishOutcome> {
  const req = input.request;
  const inventory = await listSalvePulls(ctx);
  const cap = capReached(inventory, limits, ctx.now);
  if (cap) return { kind: 'capped', ...cap };

  // A branch without a PR is a half-made PR from an earlier attempt: finish it.
  const leftover = await branchHead(ctx, req.branch);
  const sha = await putCommit(ctx, req, leftover !== null);
  const conclusion = await reportCheck(ctx, sha, input.decision, input.proofDigest);
  let pr: { number: number; node_id: string; html_url: string; base?: { sha?: string } };
  try {
    const created = await ctx.octokit.rest.pulls.create({
      ...ctx.repo,
      title: req.pr.title,
      head: req.branch,
      base: req.baseBranch,
      body: renderBody(req),
      maintainer_can_modify: false,
    });
    pr = created.data;
  } catch (err) {
    if (alreadyExists(err)) {
      // Another run (a replica, or this one before a lost reply) opened it: finish that one.
      const open = await findOpen(ctx, req.branch);
      if (open) return updatePull(ctx, input, open);
    }
    if (statusOf(err) === 422) {
      // GitHub refused the PR for good: the branch would be a half-made PR.
      await deleteBranch(ctx, req.branch).catch((cleanupErr: unknown) =>
        ctx.log.warn({ err: cleanupErr, branch: req.branch }, 'could not remove branch of a failed pull request'),
      );
    }
    // Otherwise (5xx, network) the PR may exist: the branch stays and the retry finds one or the other.
    throw err;
  }
  if (req.metadata.mode === 'approve') await requestReviewers(ctx, input, pr.number);
  const wanted = req.metadata.mode === 'automate' && conclusion === 'success';
  await reconcileAutoMerge(ctx, { nodeId: pr.node_id, armed: false, baseBranch: req.baseBranch }, wanted);
  await closeSuperseded(ctx, inventory, {
    fingerprint: req.metadata.fingerprint,
    action: req.metadata.action,
    number: pr.number,
    url: pr.html_url,
    branch: req.branch,
  });
  await ctx.octokit.rest.issues.addLabels({ ...ctx.repo, issue_number: pr.number, labels: labelsFor(req) });
  const moved = pr.base?.sha && pr.base.sha !== req.baseCommit;
  return { kind: 'opened', number: pr.number, url: pr.html_url, head: sha, ...(moved ? { baseMoved: true } : {}) };
}

function alreadyExists(err: unknown): boolean {
  if (statusOf(err) !== 422) return false;
  const data = (err as { response?: { data?: { errors?: Array<{ message?: string }> } } }).response?.data;
  return (data?.errors ?? []).some((e) => /already exists/i.test(e.message ?? ''));
}

async function findOpen(ctx: GitHubContext, branch: string): Promise<PullSummary | null> {
  const { data } = await ctx.octokit.rest.pulls.list({
    ...ctx.repo,
    head: `${ctx.repo.owner}:${branch}`,
    state: 'open',
    per_page: 100,
  });
  return (data as PullSummary[])[0] ?? null;
}

/**
 * The pull request of a workload's branch now carries another remediation: its body says which one
 * it supersedes, and a comment records the switch in the PR's history.
 */
/** An id or action id from a PR body (editable by anyone with write access): kebab-case or nothing. */
function token(value: string | undefined): string | null {
  return value && /^[a-z0-9][a-z0-9-]{0,99}$/.test(value) ? value : null;
}

async function supersedeInPlace(ctx: GitHubContext, input: PublishInput, pr: PullSummary): Promise<PublishInput> {
  const before = readMetadata(pr.body);
  const req = input.request;
  if (!before || before.id === req.id) return input;
  const id = token(before.id);
  const action = token(before.action);
  const earlier = id && action ? `\`${id}\` (\`${action}\`)` : 'an earlier remediation';
  const note = `> **Supersedes** ${earlier}, previously proposed in #${pr.number}: salve keeps one open remediation per workload, and it now proposes \`${req.metadata.action}\` for this incident instead. The earlier change is no longer in this PR; if it is still needed, salve proposes it again once this one merges.`;
  await ctx.octokit.rest.issues.createComment({
    ...ctx.repo,
    issue_number: pr.number,
    body: `${SUPERSEDED_MARKER}\nSuperseded in place: this PR now proposes \`${req.metadata.action}\` (\`${req.id}\`) instead of ${earlier}.`,
  });
  ctx.log.info({ pull: pr.number, from: id, to: req.id }, 'superseded a remediation in place');
  return { ...input, request: { ...req, pr: { ...req.pr, body: `${note}\n\n${req.pr.body}` } } };
}

const NOTE_RE = /^> \*\*Supersedes\*\* .*$/m;

/** The same remediation again keeps the supersede note its PR body already carries. */
function carryNote(input: PublishInput, pr: PullSummary): PublishInput {
  const note = NOTE_RE.exec(pr.body ?? '')?.[0];
  if (!note || readMetadata(pr.body)?.id !== input.request.id) return input;
  const req = input.request;
  return { ...input, request: { ...req, pr: { ...req.pr, body: `${note}\n\n${req.pr.body}` } } };
}

async function updatePull(ctx: GitHubContext, given: PublishInput, pr: PullSummary): Promise<PublishOutcome> {
  const carried = carryNote(given, pr);
  const previous = readHashes(pr.body);
  const armed = pr.auto_merge !== null && pr.auto_merge !== undefined;
  const have = labelNames(pr.labels);
  // Labels go on in one call, last: a PR without the `salve` label was never finished.
  const finished = have.includes('salve');
  const same = previous?.content === contentHash(carried.request);
  // An armed PR is checked for foreign commits even when salve has nothing new to say: auto-merge
  // would otherwise merge a commit no one reviewed.
  if (same && finished && !armed) return { kind: 'unchanged', number: pr.number, url: pr.html_url };
  const frozen = await frozenBy(ctx, pr.number);
  if (frozen) {
    if (await noteFrozen(ctx, pr.number, frozen)) ctx.log.warn({ pull: pr.number, reason: frozen }, 'branch frozen');
    if (armed)
      await reconcileAutoMerge(ctx, { nodeId: pr.node_id, armed, baseBranch: carried.request.baseBranch }, false);
    return { kind: 'frozen', number: pr.number, url: pr.html_url };
  }
  if (same && finished) return { kind: 'unchanged', number: pr.number, url: pr.html_url };
  const input = same ? carried : await supersedeInPlace(ctx, carried, pr);
  const req = input.request;

  let head = pr.head.sha;
  if (previous?.files !== filesHash(req)) {
    head = await putCommit(ctx, req, true);
  }
  if (!same) {
    await ctx.octokit.rest.pulls.update({
      ...ctx.repo,
      pull_number: pr.number,
      title: req.pr.title,
      body: renderBody(req),
    });
  }
  if (req.metadata.mode === 'approve' && !have.includes('salve/mode:approve'))
    await requestReviewers(ctx, input, pr.number);
  // New content or an unfinished PR (no labels yet: its check may be missing too) gets its check.
  const conclusion = await reportCheck(ctx, head, input.decision, input.proofDigest);
  const wanted = req.metadata.mode === 'automate' && conclusion === 'success';
  await reconcileAutoMerge(ctx, { nodeId: pr.node_id, armed, baseBranch: req.baseBranch }, wanted);
  if (!finished) {
    await closeSuperseded(ctx, await listSalvePulls(ctx), {
      fingerprint: req.metadata.fingerprint,
      action: req.metadata.action,
      number: pr.number,
      url: pr.html_url,
      branch: req.branch,
    });
  }
  const want = labelsFor(req);
  for (const stale of have.filter((l) => /^salve\/(mode|action):/.test(l) && !want.includes(l))) {
    await ctx.octokit.rest.issues.removeLabel({ ...ctx.repo, issue_number: pr.number, name: stale });
  }
  const missing = want.filter((l) => !have.includes(l));
  if (missing.length > 0)
    await ctx.octokit.rest.issues.addLabels({ ...ctx.repo, issue_number: pr.number, labels: missing });
  return { kind: 'updated', number: pr.number, url: pr.html_url, head };
}

async function putCommit(ctx: GitHubContext, req: PublishInput['request'], exists: boolean): Promise<string> {
  if (ctx.writeCommit) return ctx.writeCommit(req, exists);
  const sha = await createRemediationCommit(ctx, req);
  await writeBranch(ctx, req.branch, sha, exists);
  return sha;
}

async function requestReviewers(ctx: GitHubContext, input: PublishInput, pullNumber: number): Promise<void> {
  const text = await readCodeowners(ctx, input.request.baseCommit);
  if (!text) return;
  const paths = input.request.files.map((f) => f.path);
  const { reviewers, teamReviewers } = reviewersFor(parseCodeowners(text), paths, [ctx.botLogin]);
  if (reviewers.length === 0 && teamReviewers.length === 0) return;
  await ctx.octokit.rest.pulls.requestReviewers({
    ...ctx.repo,
    pull_number: pullNumber,
    reviewers,
    team_reviewers: teamReviewers,
  });
}
