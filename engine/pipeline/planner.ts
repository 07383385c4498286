/**
 * The pipeline behind the App's queue: an Alertmanager payload and a checkout in, plans out.
 * With a cluster feed, the watched clusters' current signals join the alerts of the repository
 * that deploys to them (coalesced on the same owner fingerprint), and each incident in a watched
 * cluster carries evidence read from it.
 */

import { CustomObjectsApi } from '@kubernetes/client-node';
import type { PlanContext, Planner } from '../app/types.ts';
import type { ClusterFeed } from '../cluster/feed.ts';
import { clusterRolloutLiveness } from '../followup/liveness.ts';
import { intakeAlertmanager } from '../intake/index.ts';
import type { OutcomeEntry } from '../model/policy.ts';
import type { PlanResult } from '../model/remediation.ts';
import { coalesce } from '../perceive/index.ts';
import type { SigningKey } from '../policy/index.ts';
import { createBuildCache, createNamesCache } from '../repo/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { untraced } from '../telemetry/stages.ts';
import { type CommitLease, createCommitCache } from './commits.ts';
import { planIncident } from './plan.ts';
import { contextOn, prepareAssets, soleCluster } from './run.ts';

export interface PlannerCluster {
  feed: ClusterFeed;
  /** owner/name of the config repository the watched clusters are deployed from. */
  repo: string;
}

function rolloutLiveness(feed: ClusterFeed, log: Logger) {
  return clusterRolloutLiveness((name) => feed.kubeConfig(name)?.makeApiClient(CustomObjectsApi) ?? null, log);
}

/** Incidents per run whose evidence is read from the cluster (each costs a few API calls). */
const MAX_EVIDENCE_READS = 10;

/** Builds of committed overlays the server keeps across incidents (each holds one overlay's rendered objects). */
const SHARED_RENDERS = 256;

/**
 * Commits the server keeps open across incidents (each holds its listing, up to 64 MiB of blobs,
 * its compiled policy): a few repositories' heads.
 */
const KEPT_COMMITS = 4;

export function createPlanner(opts: {
  signingKey: SigningKey;
  log: Logger;
  cluster?: PlannerCluster;
  /** The repo's follow-up outcomes (engine/followup's store), for trust earned from outcomes. */
  outcomes?: (repo: string) => Promise<readonly OutcomeEntry[]>;
}): Planner & { close(): Promise<void> } {
  const renders = createBuildCache({ max: SHARED_RENDERS });
  const overlayNames = createNamesCache();
  const commits = createCommitCache({
    max: KEPT_COMMITS,
    log: opts.log,
    prepare: (base) => prepareAssets(base, {}),
  });
  return {
    async plan(payload, ctx) {
      const lease = await commits.acquire(ctx.checkoutDir);
      try {
        return await planOn(lease, payload, ctx);
      } finally {
        await lease.release();
      }
    },
    close: () => commits.close(),
  };

  async function planOn(lease: CommitLease, payload: unknown, ctx: PlanContext): Promise<PlanResult[]> {
    const repo = `${ctx.repo.owner}/${ctx.repo.repo}`;
    const stages = ctx.stages ?? untraced;
    // The config repo's commit says how to read its alerts (`alerts:`) and, with one cluster, which one.
    const { base } = lease;
    const { config } = base;
    const sole = await soleCluster(base);
    const cluster = opts.cluster && opts.cluster.repo === repo ? opts.cluster.feed : null;
    const incidents = await stages.run('perceive', { 'salve.repo': repo }, async (span) => {
      const { signals, skipped } = intakeAlertmanager(payload, {
        source: `alertmanager webhook for ${repo}`,
        now: ctx.now,
        alerts: config.alerts,
        ...(sole ? { cluster: sole } : {}),
      });
      if (skipped.length > 0) ctx.onSkipped?.(skipped);
      if (cluster) signals.push(...cluster.signals());
      const found = coalesce(signals, { now: ctx.now });
      span.annotate({ 'salve.signals': signals.length, 'salve.incidents': found.length });
      return found;
    });
    if (incidents.length === 0) return [];
    const known = opts.outcomes ? await opts.outcomes(repo) : null;
    const prepared = await contextOn(ctx.checkoutDir, base, await lease.assets(), {
      signingKey: opts.signingKey,
      now: ctx.now,
      log: opts.log,
      renders,
      overlayNames,
    });
    const pipeline = {
      ...prepared,
      memo: lease.memo,
      ...(known ? { outcomes: known } : {}),
      // With cluster access, whether an adoption Rollout is live is read, not guessed.
      ...(cluster ? { rollouts: rolloutLiveness(cluster, opts.log) } : {}),
    };
    const results: PlanResult[] = [];
    let read = 0;
    for (const found of incidents) {
      // One incident failing (an unresolvable target, say) must not stop the others.
      try {
        const withEvidence = cluster?.watches(found.target.cluster) === true && read++ < MAX_EVIDENCE_READS;
        const incident = withEvidence
          ? { ...found, evidence: await cluster.evidence(found, pipeline.config.cluster.evidence) }
          : found;
        const attrs = { 'salve.repo': repo, 'salve.fingerprint': found.fingerprint };
        const result = await stages.run('decide', attrs, async (span) => {
          const planned = await planIncident(incident, { ...pipeline, stages: span });
          span.annotate(outcomeAttributes(planned));
          return planned;
        });
        results.push(result);
      } catch (err) {
        opts.log.warn({ err, fingerprint: found.fingerprint }, 'planning an incident failed');
        results.push({ kind: 'none', reason: `planning failed: ${(err as Error).message}` });
      }
    }
    return results;
  }
}

/** What a decide span records of its outcome: the kind, and the action and mode when one was chosen. */
function outcomeAttributes(r: PlanResult): Record<string, string> {
  if (r.kind === 'drift' || r.kind === 'none') return { 'salve.outcome': r.kind };
  return {
    'salve.outcome': r.kind,
    'salve.action': r.remediation.action.id,
    'salve.mode': r.remediation.decision.mode,
  };
}
