/**
 * A revert the PR caps held back ("not now": too many open salve PRs, or too many this hour) is
 * kept on the state store's delayed jobs (the embedded journal, or BullMQ over Redis), one per
 * reverted PR, and tried again with back-off, and at once when one of salve's PRs in the repository
 * closes (a cap may have freed). After its last try it is an error, logged and counted, not dropped
 * in silence. The merged PR says it all along (waiting.ts): waiting for a free slot, then opened or
 * given up, each with the commands that open it by hand. A revert held for another reason (policy, a finding, a human who closed the revert PR)
 * is not retried: that is an answer, not a "not now".
 */
import type { GitHubContext, RepoRef } from '../../publish/github/types.ts';
import type { DelayedJobs } from '../../state/delayed.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { outcomeDetailOfPull, outcomeFromRecord } from '../detail.ts';
import type { OutcomeRecord } from '../record.ts';
import { followUpKey } from '../scheduler.ts';
import type { FollowUpJob, Outcome } from '../types.ts';
import { noteHeld } from './held.ts';
import type { RevertResult } from './hook.ts';
import { revertOwed } from './recover.ts';
import { afterWaiting, type Capped, gaveUpComment, type RevertPlanned, waitingComment } from './waiting.ts';

export const PENDING_REVERTS = 'reverts';

export interface PendingRevert {
  job: FollowUpJob;
  outcome: Outcome;
  record: OutcomeRecord;
  /** Tries so far (the first, right after the outcome, is 1). */
  attempt: number;
  /** What held the last try, for the logs. */
  heldBy: string;
  /** When the first try was held (ISO); absent in a revert kept by an older salve. */
  since?: string;
}

export interface RevertRetry {
  /** First wait (doubling per try) and the longest. */
  baseMs: number;
  maxMs: number;
  /** Tries in all, the first included; then an error. */
  maxTries: number;
}

/** About a day and a half of tries: 10 min doubling to 4 h, 12 tries. */
export const DEFAULT_REVERT_RETRY: RevertRetry = { baseMs: 10 * 60_000, maxMs: 4 * 3_600_000, maxTries: 12 };

export const pendingKey = (job: Pick<FollowUpJob, 'repo' | 'pull'>) => `revert:${followUpKey(job)}`;
const repoPrefix = (repo: RepoRef) => `revert:${`${repo.owner}/${repo.repo}#`.toLowerCase()}`;

export function retryAfterMs(attempt: number, r: RevertRetry): number {
  return Math.min(r.maxMs, r.baseMs * 2 ** Math.max(0, attempt - 1));
}

/** The cap that held the try (worth another try later), with what the hook planned; or null. */
export function cappedBy(result: RevertResult): { cap: Capped; planned: RevertPlanned } | null {
  if (result.kind !== 'published' || result.publish.kind !== 'capped') return null;
  return { cap: result.publish, planned: result.planned };
}

export interface PendingRevertDeps {
  revert(job: FollowUpJob, outcome: Outcome, record: OutcomeRecord): Promise<RevertResult>;
  /** The repository's GitHub client, for the comment on the merged PR. */
  github(repo: RepoRef): Promise<GitHubContext>;
  now(): Date;
  log: Logger;
  /** Called once a revert is given up on (salve_errors_total). */
  onGiveUp(p: PendingRevert): void;
  retry?: RevertRetry;
}

export function pendingReverts(jobs: DelayedJobs<PendingRevert>, deps: PendingRevertDeps) {
  const retry = deps.retry ?? DEFAULT_REVERT_RETRY;
  /** Says it on the merged PR (held.ts's one comment); a failure is logged, the revert stays kept. */
  async function say(p: PendingRevert, log: Logger, body: string): Promise<void> {
    try {
      const comment = await noteHeld(await deps.github(p.job.repo), p.job, body);
      log.info({ comment }, 'held-back revert: said on the merged pull request');
    } catch (err) {
      log.warn({ err }, 'held-back revert: could not say it on the merged pull request');
    }
  }
  async function settle(p: PendingRevert, result: RevertResult): Promise<RevertResult> {
    const held = cappedBy(result);
    const key = pendingKey(p.job);
    const log = deps.log.child({ pull: p.job.pull, revert: true, attempt: p.attempt });
    if (!held) {
      if (p.attempt > 1) {
        log.info({ result: result.kind }, 'held-back revert tried again');
        const after = afterWaiting(p.outcome, result, p.attempt);
        if (after) await say(p, log, after);
      }
      return result;
    }
    const heldBy = `${held.cap.reason} cap (${held.cap.limit})`;
    const facts = { job: p.job, outcome: p.outcome, ...held, attempt: p.attempt };
    if (p.attempt >= retry.maxTries) {
      log.error(
        { heldBy, tries: p.attempt },
        'revert of a harmful remediation still held back by the PR caps; given up',
      );
      deps.onGiveUp({ ...p, heldBy });
      await say(p, log, gaveUpComment({ ...facts, since: p.since, at: deps.now() }));
      return result;
    }
    const at = new Date(deps.now().getTime() + retryAfterMs(p.attempt, retry));
    await jobs.put(key, { ...p, attempt: p.attempt + 1, heldBy }, at);
    log.warn({ heldBy, retryAt: at.toISOString() }, 'revert held back by the PR caps; kept to try again');
    await say(p, log, waitingComment({ ...facts, maxTries: retry.maxTries, nextAt: at }));
    return result;
  }
  jobs.start(async (p) => {
    await settle(p, await deps.revert(p.job, p.outcome, p.record));
  });
  return {
    /** The revert after a harmful outcome: tried now, kept for later when a cap holds it. */
    async afterOutcome(job: FollowUpJob, outcome: Outcome, record: OutcomeRecord): Promise<RevertResult> {
      const first: PendingRevert = { job, outcome, record, attempt: 1, heldBy: '', since: deps.now().toISOString() };
      return settle(first, await deps.revert(job, outcome, record));
    },
    /**
     * On restart: the revert of a harmful outcome GitHub holds, if it is owed (recover.ts) and not
     * already kept here. Returns what the try gave, or null when nothing was owed.
     */
    async owed(gh: GitHubContext, job: FollowUpJob, record: OutcomeRecord): Promise<RevertResult | null> {
      if (await jobs.get(pendingKey(job))) return null;
      if (!(await revertOwed(gh, job, record))) return null;
      const outcome = (await outcomeDetailOfPull(gh, job.pull, record.decidedAt)) ?? outcomeFromRecord(record);
      deps.log.info({ pull: job.pull, revert: true }, 'harmful outcome without its revert: opening it now');
      return this.afterOutcome(job, outcome, record);
    },
    /** One of salve's PRs in `repo` closed: its held-back reverts are tried now. Returns how many. */
    async capFreed(repo: RepoRef): Promise<number> {
      let woken = 0;
      for (const key of await jobs.keys()) {
        if (!key.startsWith(repoPrefix(repo))) continue;
        const p = await jobs.get(key);
        if (!p) continue;
        await jobs.cancel(key);
        await jobs.put(key, p, deps.now());
        woken++;
      }
      return woken;
    },
    pending: () => jobs.keys(),
    close: () => jobs.close(),
  };
}
export type PendingReverts = ReturnType<typeof pendingReverts>;
