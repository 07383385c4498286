/** Which environment (and tier) a cluster belongs to. */
import type { SalveConfig } from '../config/schema.ts';
import type { EnvironmentRef } from '../model/remediation.ts';

/** production / staging / development from a name, else the name itself. */
export function inferTier(name: string): string {
  const lower = name.toLowerCase();
  if (lower.includes('prod')) return 'production';
  if (lower.includes('stag')) return 'staging';
  if (lower.includes('dev')) return 'development';
  return name;
}

/** The `environments` entry whose `clusters` lists the cluster, else one named after the cluster. */
export function environmentFor(config: Pick<SalveConfig, 'environments'>, cluster: string): EnvironmentRef {
  const env = config.environments.find((e) => e.clusters.includes(cluster));
  if (env) return { name: env.name, tier: env.tier ?? inferTier(env.name) };
  return { name: cluster, tier: inferTier(cluster) };
}

/** Every cluster alias that means the same cluster: itself and its environment's other clusters. */
export function clusterAliases(config: Pick<SalveConfig, 'environments'>, cluster: string): Set<string> {
  const aliases = new Set([cluster]);
  for (const env of config.environments)
    if (env.clusters.includes(cluster)) for (const c of env.clusters) aliases.add(c);
  return aliases;
}
