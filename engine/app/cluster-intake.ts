/**
 * `salve serve --cluster-intake on`: the clusters named by the flags are proven read-only and
 * watched; new signals from them queue a run for the repository that deploys to them. The run's
 * payload holds no alerts: the planner takes the clusters' current signals from the feed.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type ClusterFeed, parseClusterFlags, startClusters } from '../cluster/index.ts';
import type { AlertmanagerPayload } from '../intake/alertmanager-schema.ts';
import { ConfigError } from '../model/index.ts';
import type { ServeConfig } from './config.ts';
import type { Metrics } from './metrics.ts';
import type { Logger } from './types.ts';

export interface ClusterWiring {
  feed: ClusterFeed;
  /** owner/name of the config repository the watched clusters are deployed from. */
  repo: string;
}

/** A run with no alerts in it: what a new cluster signal queues. */
export function clusterRunPayload(): AlertmanagerPayload {
  return {
    version: '4',
    groupKey: 'salve:cluster-intake',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'salve-cluster-intake',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: '',
    alerts: [],
  };
}

export async function startClusterWiring(config: ServeConfig, log: Logger): Promise<ClusterWiring | null> {
  if (config.clusterIntake !== 'on') return null;
  if (!config.repo) {
    throw new ConfigError(
      'salve serve: --cluster-intake on needs SALVE_REPO (--repo), the repository that deploys to the clusters',
    );
  }
  const settings = parseClusterFlags({
    kubeContexts: config.kubeContexts,
    kubeInCluster: config.kubeInCluster,
    kubeconfig: config.kubeconfig ?? join(homedir(), '.kube', 'config'),
    namespaces: config.clusterNamespaces,
  });
  const feed = await startClusters(settings, { log: log.child({ stage: 'cluster' }) });
  return { feed, repo: config.repo };
}

/** Queues a run for the repository whenever the clusters show new signals; returns the unsubscribe. */
export function wireClusterIntake(
  wiring: ClusterWiring,
  push: (repo: string, payload: AlertmanagerPayload) => void,
  metrics: Metrics,
  log: Logger,
): () => void {
  return wiring.feed.subscribe((fresh) => {
    metrics.inc('salve_signals_received_total', { source: 'kubernetes' }, fresh.length);
    log.info({ repo: wiring.repo, signals: fresh.length }, 'new cluster signals: run queued');
    push(wiring.repo, clusterRunPayload());
  });
}
