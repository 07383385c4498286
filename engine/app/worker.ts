/**
 * One run for one repository: check out the config repo, plan what waits in its inbox, publish
 * each remediation (held-back ones first), and account for everything in metrics and logs. A run
 * consumes its inbox only when every publish succeeded; otherwise it throws, the inbox stays, and
 * the job is retried (publishing is idempotent: a finished PR is `unchanged`, a half one finished).
 */

import type { AlertmanagerPayload } from '../intake/alertmanager-schema.ts';
import type { SkippedAlert } from '../intake/types.ts';
import { PublishError } from '../model/index.ts';
import type { PlanResult } from '../model/remediation.ts';
import { ensurePullRequest } from '../publish/github/pull-request.ts';
import type { CommitWriter, GitHubContext, PublishInput, PublishOutcome } from '../publish/github/types.ts';
import { emptyPayload, payloadOf } from '../state/entries.ts';
import type { JobInfo, StateStore } from '../state/types.ts';
import { type Stages, untraced } from '../telemetry/stages.ts';
import type { SalveOctokit } from './github.ts';
import type { Metrics } from './metrics.ts';
import { readPublishLimits } from './repo-settings.ts';
import type { Checkout, CheckoutResult, Clock, Logger, Planner, RepoRef } from './types.ts';

export interface WorkerDeps {
  planner: Planner;
  checkout: Checkout;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  state: Pick<StateStore, 'inbox' | 'pending'>;
  clientFor(repo: RepoRef): Promise<SalveOctokit>;
  tokenFor(client: SalveOctokit): Promise<string>;
  botLogin(): Promise<string>;
  /** The git publish path; absent means the Git Data API. */
  gitWriter?: (co: CheckoutResult, token: string) => { write: CommitWriter; ownEmails: string[] };
  /** Replaces checkout, plan and publish (benchmarks of the intake and queue). */
  runner?: (repo: string, payload: AlertmanagerPayload | null, stages: Stages) => Promise<void>;
  /** Spans per stage; a job's run continues the trace its request carried. Default: untraced. */
  stages?: Stages;
}

export function parseRepoKey(key: string): RepoRef {
  const [owner = '', repo = ''] = key.split('/');
  return { owner, repo };
}

/** The job handler: what waits for the repository, run once, consumed only on success. */
export function createRepoJob(deps: WorkerDeps) {
  const run = deps.runner ?? createRepoWorker(deps);
  const stages = deps.stages ?? untraced;
  return async function repoJob(job: JobInfo): Promise<void> {
    const entries = await deps.state.inbox.snapshot(job.repo);
    const held = await deps.state.pending.list(job.repo);
    if (entries.length === 0 && held.length === 0 && !job.plan) return;
    const started = process.hrtime.bigint();
    let outcome = 'failed';
    try {
      const attrs = { 'salve.repo': job.repo, 'salve.attempt': job.attempt, 'salve.alerts': entries.length };
      await stages.from(job.trace).span('salve.job', attrs, async (inner) => {
        await run(job.repo, payloadOf(job.repo, entries) ?? (job.plan ? emptyPayload(job.repo) : null), inner);
        await deps.state.inbox.consume(job.repo, entries);
      });
      outcome = 'succeeded';
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.observe('salve_job_duration_seconds', seconds, { outcome });
      deps.metrics.inc('salve_jobs_total', { outcome });
    }
  };
}

export function createRepoWorker(deps: WorkerDeps) {
  return async function runRepo(key: string, payload: AlertmanagerPayload | null, stages = untraced): Promise<void> {
    const repo = parseRepoKey(key);
    const traceId = stages.traceId();
    const log = deps.logger.child({ repo: key, ...(traceId ? { trace_id: traceId } : {}) });
    const octokit = await stage(deps, 'auth', () => deps.clientFor(repo));
    const token = await stage(deps, 'auth', () => deps.tokenFor(octokit));
    const co = await stage(deps, 'checkout', () => deps.checkout.prepare(repo, token));
    try {
      const limits = await stage(deps, 'config', () => readPublishLimits(co.dir, co.baseCommit));
      const now = deps.clock.now();
      const onSkipped = (skipped: SkippedAlert[]) => reportSkipped(deps.metrics, log, skipped);
      const results = payload
        ? await stage(deps, 'plan', () =>
            deps.planner.plan(payload, { repo, checkoutDir: co.dir, now, stages, onSkipped }),
          )
        : [];
      const inputs = new Map<string, PublishInput>();
      for (const held of await deps.state.pending.list(key)) inputs.set(held.request.id, held);
      for (const r of results) {
        account(deps.metrics, r);
        if (r.kind === 'publish') {
          inputs.set(r.request.id, {
            request: r.request,
            decision: r.remediation.decision,
            proofDigest: r.remediation.proofDigest,
          });
        } else if (r.kind === 'drift') {
          log.warn(
            {
              fingerprint: r.incident.fingerprint,
              target: r.drift.target,
              failingImage: r.drift.failingImage,
              renderedImage: r.drift.renderedImage,
              gitSetsItIn: r.drift.gitSetsItIn,
            },
            'drift: the cluster runs an image git does not render; no pull request',
          );
        } else if (r.kind !== 'none') {
          log.info(
            { id: r.remediation.id, kind: r.kind, mode: r.remediation.decision.mode },
            'remediation not published',
          );
        }
      }
      const git = deps.gitWriter?.(co, token);
      const ctx: GitHubContext = {
        octokit,
        repo,
        botLogin: await deps.botLogin(),
        log,
        now,
        ...(git ? { writeCommit: git.write, ownEmails: git.ownEmails } : {}),
      };
      const failures: unknown[] = [];
      let baseMoved = false;
      for (const input of inputs.values()) {
        try {
          const attrs = {
            'salve.repo': key,
            'salve.fingerprint': input.request.metadata.fingerprint,
            'salve.action': input.request.metadata.action,
            'salve.branch': input.request.branch,
          };
          const outcome = await stages.run('publish', attrs, async (span) => {
            const made = await ensurePullRequest(ctx, input, limits);
            span.annotate({ 'salve.publish': made.kind, ...('url' in made ? { 'salve.pull_request': made.url } : {}) });
            return made;
          });
          if (outcome.kind === 'opened' && outcome.baseMoved) baseMoved = true;
          await record(deps, key, input, outcome, log);
        } catch (err) {
          deps.metrics.inc('salve_errors_total', { stage: 'publish' });
          log.error({ err, id: input.request.id, branch: input.request.branch }, 'publish failed');
          failures.push(err);
        }
      }
      if (failures.length > 0) {
        throw new PublishError(`${key}: ${failures.length} of ${inputs.size} remediations not published; retrying`, {
          cause: failures[0],
          code: 'publish-incomplete',
        });
      }
      if (baseMoved) {
        // Planned on a base that moved while publishing: plan again on the new base, updating the PR in place.
        throw new PublishError(`${key}: the base branch moved while publishing; planning again`, {
          code: 'base-moved',
        });
      }
    } finally {
      deps.metrics.set('salve_pending_remediations', await deps.state.pending.count());
      await co.cleanup();
    }
  };
}

async function stage<T>(deps: WorkerDeps, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    deps.metrics.inc('salve_errors_total', { stage: name });
    throw err;
  }
}

/** Alerts shown in one log line at most; the count covers them all. */
const MAX_SKIPPED_LOGGED = 20;

/**
 * An alert salve cannot read must not vanish: one log line names the alerts and reasons, the
 * counter keeps them by reason class (a fixed set: the alert name is not a label, it is unbounded).
 */
function reportSkipped(metrics: Metrics, log: Logger, skipped: SkippedAlert[]): void {
  for (const s of skipped) metrics.inc('salve_alerts_skipped_total', { reason: s.code });
  log.warn(
    {
      skipped: skipped.slice(0, MAX_SKIPPED_LOGGED).map((s) => ({ alert: s.alertname, reason: s.reason })),
      count: skipped.length,
    },
    'alerts skipped: salve cannot act on them (see alerts: in .salve.yaml)',
  );
}

function account(metrics: Metrics, r: PlanResult): void {
  metrics.inc('salve_incidents_total', { outcome: r.kind });
  if (r.kind === 'drift') metrics.inc('salve_drift_findings_total', { namespace: r.drift.target.namespace });
  else if (r.kind !== 'none') metrics.inc('salve_decisions_total', { mode: r.remediation.decision.mode });
}

async function record(
  deps: WorkerDeps,
  key: string,
  input: PublishInput,
  outcome: PublishOutcome,
  log: Logger,
): Promise<void> {
  const id = input.request.id;
  if (outcome.kind === 'capped') {
    await deps.state.pending.hold(key, input);
    log.warn(
      { id, reason: outcome.reason, limit: outcome.limit, pending: (await deps.state.pending.list(key)).length },
      'pull request cap reached; remediation kept pending',
    );
  } else {
    await deps.state.pending.release(key, id);
    log.info({ id, outcome }, 'remediation published');
  }
  deps.metrics.inc('salve_pull_requests_total', { event: outcome.kind });
}
