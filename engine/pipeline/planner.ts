/**
 * The pipeline behind the App's queue: an Alertmanager payload and a checkout in, plans out.
 * With a cluster feed, the watched clusters' current signals join the alerts of the repository
 * that deploys to them (coalesced on the same owner fingerprint), and each incident in a watched
 * cluster carries evidence read from it.
 */

import { CustomObjectsApi } from '@kubernetes/client-node';
import type { Planner } from '../app/types.ts';
import type { ClusterFeed } from '../cluster/feed.ts';
import { clusterRolloutLiveness } from '../followup/liveness.ts';
import { parseAlertmanager } from '../intake/index.ts';
import type { Signal } from '../model/index.ts';
import type { OutcomeEntry } from '../model/policy.ts';
import type { PlanResult } from '../model/remediation.ts';
import { coalesce } from '../perceive/index.ts';
import type { SigningKey } from '../policy/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { planIncident } from './plan.ts';
import { prepareContext } from './run.ts';

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

export function createPlanner(opts: {
  signingKey: SigningKey;
  log: Logger;
  cluster?: PlannerCluster;
  /** The repo's follow-up outcomes (engine/followup's store), for trust earned from outcomes. */
  outcomes?: (repo: string) => Promise<readonly OutcomeEntry[]>;
}): Planner {
  return {
    async plan(payload, ctx) {
      const repo = `${ctx.repo.owner}/${ctx.repo.repo}`;
      const signals: Signal[] = parseAlertmanager(payload, {
        source: `alertmanager webhook for ${repo}`,
        now: ctx.now,
      });
      const cluster = opts.cluster && opts.cluster.repo === repo ? opts.cluster.feed : null;
      if (cluster) signals.push(...cluster.signals());
      const incidents = coalesce(signals, { now: ctx.now });
      if (incidents.length === 0) return [];
      const known = opts.outcomes ? await opts.outcomes(repo) : null;
      const prepared = await prepareContext(ctx.checkoutDir, {
        signingKey: opts.signingKey,
        now: ctx.now,
        log: opts.log,
      });
      const pipeline = {
        ...prepared,
        ...(known ? { outcomes: known } : {}),
        // With cluster access, whether an adoption Rollout is live is read, not guessed.
        ...(cluster ? { rollouts: rolloutLiveness(cluster, opts.log) } : {}),
      };
      const results: PlanResult[] = [];
      let read = 0;
      try {
        for (const found of incidents) {
          // One incident failing (an unresolvable target, say) must not stop the others.
          try {
            const withEvidence = cluster?.watches(found.target.cluster) === true && read++ < MAX_EVIDENCE_READS;
            const incident = withEvidence
              ? { ...found, evidence: await cluster.evidence(found, pipeline.config.cluster.evidence) }
              : found;
            results.push(await planIncident(incident, pipeline));
          } catch (err) {
            opts.log.warn({ err, fingerprint: found.fingerprint }, 'planning an incident failed');
            results.push({ kind: 'none', reason: `planning failed: ${(err as Error).message}` });
          }
        }
      } finally {
        await pipeline.dispose();
      }
      return results;
    },
  };
}
