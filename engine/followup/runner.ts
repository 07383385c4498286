/**
 * The follow-up loop around the steps: a merged salve PR becomes a job, each step's wait is handed
 * to the scheduler, and each outcome is recorded on GitHub and in the outcome store, then handed to
 * `onOutcome` (the revert of a harmful change). On restart, `recover` schedules every merged salve
 * PR that has no outcome on GitHub yet, and hands each harmful one to `owedRevert`.
 */
import type { Slo } from '../config/schema.ts';
import { parseMetadata } from '../explain/metadata.ts';
import type { PrMetadata } from '../model/remediation.ts';
import type { GitHubContext, PullSummary, RepoRef } from '../publish/github/types.ts';
import type { Logger } from '../telemetry/logger.ts';
import { type FollowUpDeps, startFollowUp, stepFollowUp } from './follow.ts';
import { mergedPullsWithOutcomes, type OutcomeStore, outcomeOfPull } from './outcomes.ts';
import { type OutcomeRecord, recordOutcome } from './record.ts';
import type { FollowUpScheduler } from './scheduler.ts';
import type { FollowUpSettings } from './settings.ts';
import type { FollowUpJob, Outcome } from './types.ts';

/** A merged pull request as the webhook and the REST API give it. */
export type MergedPull = PullSummary & { merge_commit_sha?: string | null };

export interface RunnerDeps {
  follow: FollowUpDeps;
  github(repo: RepoRef): Promise<GitHubContext>;
  /** The config repo's SLOs and follow-up settings on its default branch. */
  configOf(repo: RepoRef): Promise<{ slos: Slo[]; settings: FollowUpSettings }>;
  scheduler(): FollowUpScheduler;
  outcomes: OutcomeStore;
  onOutcome?(job: FollowUpJob, outcome: Outcome, record: OutcomeRecord): Promise<void>;
  /** On restart, for each harmful outcome GitHub holds: open its revert if it is owed and was never opened. */
  owedRevert?(ctx: GitHubContext, job: FollowUpJob, record: OutcomeRecord): Promise<void>;
  log: Logger;
}

/** The job for a merged salve PR, or null when it is not one (no metadata, not merged). */
export function jobFromPull(
  repo: RepoRef,
  pull: MergedPull,
  config: { slos: Slo[]; settings: FollowUpSettings },
): FollowUpJob | null {
  let meta: PrMetadata | null;
  try {
    meta = parseMetadata(pull.body ?? '');
  } catch {
    return null;
  }
  if (!meta || !pull.merged_at || !pull.merge_commit_sha) return null;
  return {
    repo,
    pull: pull.number,
    url: pull.html_url,
    mergeSha: pull.merge_commit_sha,
    headSha: pull.head.sha,
    mergedAt: pull.merged_at,
    remediation: {
      id: meta.id,
      fingerprint: meta.fingerprint,
      action: meta.action,
      target: meta.target,
      overlay: meta.overlay,
    },
    slos: config.slos,
    settings: config.settings,
  };
}

export function createFollowUpRunner(deps: RunnerDeps) {
  async function run(job: FollowUpJob): Promise<Outcome | null> {
    const step = await stepFollowUp(job, deps.follow);
    if (step.kind === 'wait') {
      deps.log.info({ pull: job.pull, at: step.at.toISOString(), why: step.why }, 'follow-up waiting');
      await deps.scheduler().schedule(step.job, step.at);
      return null;
    }
    const ctx = await deps.github(job.repo);
    // A rerun (a crash after GitHub took the comment, or a failed onOutcome retried) keeps the
    // outcome already on the PR for this merge instead of recording a second one.
    const earlier = await outcomeOfPull(ctx, job.pull);
    const kept = earlier?.mergeSha === step.job.mergeSha ? earlier : null;
    const record = kept ?? (await recordOutcome(ctx, step.job, step.outcome));
    await deps.outcomes.add(record);
    deps.log.info(
      { pull: job.pull, outcome: record.kind, score: record.overall },
      kept ? 'follow-up outcome was already recorded on the PR' : 'follow-up outcome recorded',
    );
    await deps.onOutcome?.(step.job, step.outcome, record);
    return step.outcome;
  }

  async function onMerged(repo: RepoRef, pull: MergedPull): Promise<FollowUpJob | null> {
    const job = jobFromPull(repo, pull, await deps.configOf(repo));
    if (!job) return null;
    const started = await startFollowUp(job, deps.follow);
    await deps.scheduler().schedule(started, deps.follow.now());
    return started;
  }

  /** Rebuilds the outcome store and schedules merged salve PRs without an outcome. Returns how many. */
  async function recover(repo: RepoRef): Promise<number> {
    const ctx = await deps.github(repo);
    let scheduled = 0;
    let config: Awaited<ReturnType<RunnerDeps['configOf']>> | null = null;
    for (const { pull, outcome } of await mergedPullsWithOutcomes(ctx)) {
      if (outcome) {
        await deps.outcomes.add(outcome);
        if (outcome.kind === 'harmful' && deps.owedRevert) {
          config ??= await deps.configOf(repo);
          const job = jobFromPull(repo, pull as MergedPull, config);
          // One PR's failure does not keep the others from being recovered.
          if (job)
            await deps
              .owedRevert(ctx, job, outcome)
              .catch((err: unknown) =>
                deps.log.warn({ err, pull: pull.number }, 'revert owed after a restart could not be opened'),
              );
        }
        continue;
      }
      config ??= await deps.configOf(repo);
      const job = jobFromPull(repo, pull as MergedPull, config);
      if (!job) continue;
      await deps.scheduler().schedule(job, deps.follow.now());
      scheduled++;
    }
    return scheduled;
  }

  return { run, onMerged, recover };
}
export type FollowUpRunner = ReturnType<typeof createFollowUpRunner>;
