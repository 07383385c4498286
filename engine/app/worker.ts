/**
 * One run for one repository: check out the config repo, plan the queued alerts, publish each
 * remediation (held-back ones first), and account for everything in metrics and logs.
 */
import type { PlanResult } from '../model/remediation.ts';
import { ensurePullRequest } from '../publish/github/pull-request.ts';
import type { CommitWriter, GitHubContext, PublishInput, PublishOutcome } from '../publish/github/types.ts';
import { type AlertmanagerPayload, mergePayloads } from './alertmanager.ts';
import type { SalveOctokit } from './github.ts';
import type { Metrics } from './metrics.ts';
import type { PendingList } from './pending.ts';
import { readPublishLimits } from './repo-settings.ts';
import type { Checkout, CheckoutResult, Clock, Logger, Planner, RepoRef } from './types.ts';

export interface WorkerDeps {
  planner: Planner;
  checkout: Checkout;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  pending: PendingList;
  clientFor(repo: RepoRef): Promise<SalveOctokit>;
  tokenFor(client: SalveOctokit): Promise<string>;
  botLogin(): Promise<string>;
  /** The git publish path; absent means the Git Data API. */
  gitWriter?: (co: CheckoutResult, token: string) => { write: CommitWriter; ownEmails: string[] };
}

export function parseRepoKey(key: string): RepoRef {
  const [owner = '', repo = ''] = key.split('/');
  return { owner, repo };
}

export function createRepoWorker(deps: WorkerDeps) {
  return async function runRepo(key: string, batch: AlertmanagerPayload[]): Promise<void> {
    const repo = parseRepoKey(key);
    const log = deps.logger.child({ repo: key });
    const payload = mergePayloads(batch);
    if (!payload) return;
    const octokit = await stage(deps, 'auth', () => deps.clientFor(repo));
    const token = await stage(deps, 'auth', () => deps.tokenFor(octokit));
    const co = await stage(deps, 'checkout', () => deps.checkout.prepare(repo, token));
    try {
      const limits = await stage(deps, 'config', () => readPublishLimits(co.dir, co.baseCommit));
      const now = deps.clock.now();
      const results = await stage(deps, 'plan', () => deps.planner.plan(payload, { repo, checkoutDir: co.dir, now }));
      const inputs = new Map<string, PublishInput>();
      for (const held of deps.pending.list(key)) inputs.set(held.request.id, held);
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
      for (const input of inputs.values()) {
        try {
          const outcome = await ensurePullRequest(ctx, input, limits);
          record(deps, key, input, outcome, log);
        } catch (err) {
          deps.metrics.inc('salve_errors_total', { stage: 'publish' });
          log.error({ err, id: input.request.id, branch: input.request.branch }, 'publish failed');
        }
      }
    } finally {
      deps.metrics.set('salve_pending_remediations', deps.pending.size);
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

function account(metrics: Metrics, r: PlanResult): void {
  metrics.inc('salve_incidents_total', { outcome: r.kind });
  if (r.kind === 'drift') metrics.inc('salve_drift_findings_total', { namespace: r.drift.target.namespace });
  else if (r.kind !== 'none') metrics.inc('salve_decisions_total', { mode: r.remediation.decision.mode });
}

function record(deps: WorkerDeps, key: string, input: PublishInput, outcome: PublishOutcome, log: Logger): void {
  const id = input.request.id;
  if (outcome.kind === 'capped') {
    deps.pending.hold(key, input);
    log.warn(
      { id, reason: outcome.reason, limit: outcome.limit, pending: deps.pending.list(key).length },
      'pull request cap reached; remediation kept pending',
    );
  } else {
    deps.pending.release(key, id);
    log.info({ id, outcome }, 'remediation published');
  }
  deps.metrics.inc('salve_pull_requests_total', { event: outcome.kind });
}
