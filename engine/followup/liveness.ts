/**
 * `rollouts.status()` from the cluster: the Rollout that took over a Deployment (workloadRef) is
 * `live` once it exists and runs ready pods, `pending` while it is absent or has none ready, and
 * `unknown` when salve cannot read that cluster (then the PR says it could not check).
 */
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { ARGO_GROUP, ARGO_VERSION } from '../cluster/argo/sources.ts';
import type { RolloutLiveness } from '../pipeline/context.ts';
import type { Logger } from '../telemetry/logger.ts';

type Json = Record<string, unknown>;
const rec = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** What the Rollout's status says: live once a pod is ready and the controller saw this generation. */
export function rolloutIsLive(rollout: Json): boolean {
  const status = rec(rollout.status);
  const generation = count(rec(rollout.metadata).generation);
  const observed = Number(status.observedGeneration ?? Number.NaN);
  const seen = !Number.isFinite(observed) || observed >= generation;
  const ready = Math.max(count(status.readyReplicas), count(status.availableReplicas));
  return seen && ready > 0 && status.phase !== 'Degraded';
}

export function clusterRolloutLiveness(
  customFor: (cluster: string) => CustomObjectsApi | null,
  log: Logger,
): RolloutLiveness {
  return {
    async status({ cluster, namespace, name }) {
      const custom = customFor(cluster);
      if (!custom) return 'unknown';
      try {
        const rollout = await custom.getNamespacedCustomObject({
          group: ARGO_GROUP,
          version: ARGO_VERSION,
          plural: 'rollouts',
          namespace,
          name,
        });
        return rolloutIsLive(rec(rollout)) ? 'live' : 'pending';
      } catch (err) {
        if ((err as { code?: number }).code === 404) return 'pending';
        log.warn({ err, cluster, namespace, rollout: name }, 'rollout status could not be read');
        return 'unknown';
      }
    },
  };
}
