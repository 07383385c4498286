/**
 * The follow-up's answer to a harmful outcome: plan the revert of the merged remediation on a
 * fresh checkout of the config repo, and publish it through the same path as any remediation
 * (one branch per reverted PR: a rerun leaves it unchanged). When the revert cannot be computed
 * without guessing (files changed since the merge, history rewritten), a comment on the merged PR
 * says why, once, and no PR is opened.
 */
import { REVERT_REMEDIATION } from '../../actions/revert-remediation/index.ts';
import { readPublishLimits } from '../../app/repo-settings.ts';
import type { Checkout } from '../../app/types.ts';
import { code, inline } from '../../explain/markdown.ts';
import { prepareContext } from '../../pipeline/run.ts';
import type { SigningKey } from '../../policy/index.ts';
import { ensurePullRequest } from '../../publish/github/pull-request.ts';
import type { GitHubContext, PublishInput, PublishOutcome, RepoRef } from '../../publish/github/types.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { Tool } from '../../tools/index.ts';
import type { OutcomeStore } from '../outcomes.ts';
import type { OutcomeRecord } from '../record.ts';
import type { FollowUpJob, Outcome } from '../types.ts';
import { assembleRevert } from './assemble.ts';
import { approvalComment, heldComment, holdingRules, noteHeld } from './held.ts';
import { evaluateRevert } from './plan.ts';
import type { RevertPlanned } from './waiting.ts';

export const REVERT_FINDING_MARKER = '<!-- salve:revert-finding -->';

export interface RevertHookDeps {
  github(repo: RepoRef): Promise<GitHubContext>;
  tokenFor(repo: RepoRef): Promise<string>;
  checkout: Checkout;
  /** Makes the merge commit and its parent available in a shallow checkout; absent: the checkout has them. */
  deepen?(dir: string, token: string, commit: string): Promise<void>;
  signingKey: SigningKey;
  /** The outcome store, for the policy input's outcomes (trust earned or lost). */
  outcomes?: OutcomeStore;
  log: Logger;
  kustomize?: Tool;
}

export type RevertResult =
  | { kind: 'skipped'; reason: string }
  | { kind: 'finding'; reason: string; files: string[] }
  | { kind: 'observe' | 'denied'; explanation: string }
  /** `planned`: what a comment on the merged PR names (the files, commits and commands). */
  | { kind: 'published'; publish: PublishOutcome; input: PublishInput; planned: RevertPlanned };

export function createRevertHook(deps: RevertHookDeps) {
  return async function revertHarmful(
    job: FollowUpJob,
    outcome: Outcome,
    record: OutcomeRecord,
  ): Promise<RevertResult> {
    if (outcome.kind !== 'harmful') return { kind: 'skipped', reason: `outcome ${outcome.kind}` };
    if (job.remediation.action === REVERT_REMEDIATION)
      return { kind: 'skipped', reason: 'salve does not revert its own revert: a human decides' };
    const log = deps.log.child({ pull: job.pull, revert: true });
    const token = await deps.tokenFor(job.repo);
    const co = await deps.checkout.prepare(job.repo, token);
    try {
      await deps.deepen?.(co.dir, token, job.mergeSha);
      const base = await prepareContext(co.dir, {
        signingKey: deps.signingKey,
        // The outcome's time, not the clock's: the same outcome plans the same revert, byte for byte.
        now: new Date(outcome.decidedAt),
        log,
        ...(deps.kustomize ? { kustomize: deps.kustomize } : {}),
      });
      try {
        const known = deps.outcomes ? await deps.outcomes.list(`${job.repo.owner}/${job.repo.repo}`) : null;
        const ctx = known ? { ...base, outcomes: known } : base;
        const ev = await evaluateRevert(ctx, job, record);
        const gh = await deps.github(job.repo);
        if (ev.kind === 'finding') {
          log.warn({ reason: ev.reason, files: ev.files }, 'no revert pull request');
          await noteFinding(gh, job, ev);
          return ev;
        }
        const assembled = await assembleRevert(ctx, ev, job, outcome);
        if (assembled.kind !== 'publish') {
          const noted = await noteHeld(gh, job, heldComment(ev, job, outcome, ctx.baseBranch));
          log.warn(
            { kind: assembled.kind, rules: holdingRules(ev).map((r) => r.id), comment: noted },
            'revert held by policy: said on the merged pull request',
          );
          return assembled;
        }
        const limits = await readPublishLimits(co.dir, co.baseCommit);
        const publish = await ensurePullRequest(gh, assembled.input, limits);
        log.info({ publish: publish.kind, mode: ev.decision.mode }, 'revert of a harmful remediation');
        if (ev.decision.mode === 'approve' && 'url' in publish)
          await noteHeld(gh, job, approvalComment(ev, outcome, publish));
        const { files, parentCommit, mergeCommit } = ev.params;
        const planned = { files, parentCommit, mergeCommit, baseBranch: ctx.baseBranch, mode: ev.decision.mode };
        return { kind: 'published', publish, input: assembled.input, planned };
      } finally {
        await base.dispose();
      }
    } finally {
      await co.cleanup();
    }
  };
}

/** One comment on the merged PR naming why no revert was opened (not repeated on a rerun). */
async function noteFinding(gh: GitHubContext, job: FollowUpJob, f: { reason: string; files: string[] }): Promise<void> {
  const { data } = await gh.octokit.rest.issues.listComments({ ...gh.repo, issue_number: job.pull, per_page: 100 });
  if (data.some((c) => c.user?.login === gh.botLogin && c.body?.includes(REVERT_FINDING_MARKER))) return;
  const files =
    f.files.length > 0
      ? `\n\n${f.files
          .slice(0, 50)
          .map((p) => `- ${code(p)}`)
          .join('\n')}`
      : '';
  await gh.octokit.rest.issues.createComment({
    ...gh.repo,
    issue_number: job.pull,
    body: `${REVERT_FINDING_MARKER}\n### salve opens no revert\n\nThis change was found harmful, but ${inline(f.reason)}.${files}`,
  });
}
