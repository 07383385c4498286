/**
 * Which environment (and tier) a cluster belongs to.
 *
 * `.salve.yaml` `environments:` decides. Without an entry for the cluster, the environment is
 * guessed: a cluster with a plain name names it (`prod-eu` → environment `prod-eu`, tier
 * production). Argo CD's in-cluster destination (`https://kubernetes.default.svc`, or the name
 * `in-cluster`) and other server URLs name no environment, so the Application says which one it is:
 * its overlay path, its name, its destination namespace (`deploy/overlays/production` → production).
 */
import type { SalveConfig } from '../config/schema.ts';
import type { ArgoApplication, EnvironmentRef } from '../model/remediation.ts';

/** Argo CD's names for the cluster it runs in. */
export const IN_CLUSTER_NAME = 'in-cluster';
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

const TIERS: readonly { tier: string; words: RegExp }[] = [
  { tier: 'production', words: /^(prod|production|prd|live)$/ },
  { tier: 'staging', words: /^(staging|stage|stg|preprod|pre-prod|uat)$/ },
  { tier: 'development', words: /^(dev|develop|development|sandbox)$/ },
  { tier: 'test', words: /^(test|testing|qa)$/ },
];

/** production / staging / development from a name, else the name itself. */
export function inferTier(name: string): string {
  const lower = name.toLowerCase();
  if (lower.includes('prod')) return 'production';
  if (lower.includes('stag')) return 'staging';
  if (lower.includes('dev')) return 'development';
  return name;
}

/** True for the destinations Argo CD means by "the cluster Argo CD runs in". */
export function isInCluster(cluster: string): boolean {
  if (cluster === IN_CLUSTER_NAME) return true;
  const url = cluster.toLowerCase().replace(/\/+$/, '').replace(/:443$/, '');
  return url === IN_CLUSTER_SERVER || url === `${IN_CLUSTER_SERVER}.cluster.local`;
}

function isUrl(cluster: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(cluster);
}

/**
 * The tier one of these names states as a word (`overlays/production`, `podinfo-dev`,
 * `shop-staging`); the strictest when several do. Null when none does.
 */
export function tierFromWords(...names: string[]): string | null {
  const words = new Set(names.flatMap((n) => n.toLowerCase().split(/[^a-z0-9]+/)).filter(Boolean));
  for (const { tier, words: re } of TIERS) if ([...words].some((w) => re.test(w))) return tier;
  return null;
}

/** Where a guess for an Application came from, first hit wins: its path, then name, then namespace. */
function guessFromApplication(app: ArgoApplication): { tier: string; from: string } | null {
  const hints: [string, string][] = [
    [app.path, `the overlay path ${app.path}`],
    [app.name, `the Argo CD application name ${app.name}`],
    [app.namespace, `the destination namespace ${app.namespace}`],
  ];
  for (const [value, from] of hints) {
    const tier = value ? tierFromWords(value) : null;
    if (tier) return { tier, from };
  }
  return null;
}

/** The cluster as people call it: `in-cluster` for Argo CD's own, the host of a server URL. */
function clusterLabel(cluster: string): string {
  if (isInCluster(cluster)) return IN_CLUSTER_NAME;
  if (!isUrl(cluster)) return cluster;
  try {
    return new URL(cluster).hostname || cluster;
  } catch {
    return cluster;
  }
}

/**
 * The `environments` entry that lists the cluster (or another name of it), else a guess: named after
 * the cluster when it has a plain name, else after the tier the Application states.
 */
export function environmentFor(
  config: Pick<SalveConfig, 'environments'>,
  cluster: string,
  app?: ArgoApplication,
): EnvironmentRef {
  const aliases = clusterAliases(config, cluster);
  const env = config.environments.find((e) => e.clusters.some((c) => aliases.has(c)));
  if (env) return { name: env.name, tier: env.tier ?? inferTier(env.name) };
  const named = !isUrl(cluster) && !isInCluster(cluster);
  const fromCluster = named ? inferTier(cluster) : cluster;
  if (named && fromCluster !== cluster) return { name: cluster, tier: fromCluster };
  const guess = app ? guessFromApplication(app) : null;
  const label = clusterLabel(cluster);
  if (guess) {
    const name = named ? cluster : guess.tier;
    return { name, tier: guess.tier, guessedFrom: `${guess.from}, on cluster ${label}` };
  }
  return { name: label, tier: named ? cluster : 'unknown' };
}

/**
 * Every cluster alias that means the same cluster: itself, Argo CD's two names for the in-cluster
 * destination, and the other clusters of its `.salve.yaml` environment.
 */
export function clusterAliases(config: Pick<SalveConfig, 'environments'>, cluster: string): Set<string> {
  const own = isInCluster(cluster) ? [cluster, IN_CLUSTER_NAME, IN_CLUSTER_SERVER] : [cluster];
  const aliases = new Set(own);
  for (const env of config.environments)
    if (env.clusters.some((c) => own.includes(c) || (isInCluster(c) && isInCluster(cluster))))
      for (const c of env.clusters) aliases.add(c);
  // An environment may list the in-cluster destination by either name.
  if ([...aliases].some(isInCluster)) for (const c of [IN_CLUSTER_NAME, IN_CLUSTER_SERVER]) aliases.add(c);
  return aliases;
}

/** Whether an Application's destination is one of these aliases (URL spellings of in-cluster included). */
export function deploysTo(app: ArgoApplication, aliases: ReadonlySet<string>): boolean {
  return aliases.has(app.cluster) || (isInCluster(app.cluster) && [...aliases].some(isInCluster));
}
