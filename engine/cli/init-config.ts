/**
 * The `.salve.yaml` that `salve init` writes: environments and clusters derived from the repo's Argo
 * CD Applications, every other section present as a commented default, and a modeline that points
 * editors at the published JSON Schema.
 */
import { posix } from 'node:path';
import { CONFIG_SCHEMA_URL } from '../config/json-schema.ts';
import type { ArgoApplication } from '../model/remediation.ts';
import { inferTier } from '../repo/index.ts';

const IN_CLUSTER = 'https://kubernetes.default.svc';
const TIERS = new Set(['production', 'staging', 'development']);

export interface DerivedEnvironment {
  name: string;
  tier: string;
  clusters: string[];
}

export interface Derived {
  applications: string[];
  environments: DerivedEnvironment[];
}

/** A readable environment name for an Argo CD destination: `in-cluster` for the local API server, a host for a URL. */
function clusterName(cluster: string): string {
  if (cluster === IN_CLUSTER || cluster === 'in-cluster') return 'in-cluster';
  if (/^https?:\/\//.test(cluster)) {
    try {
      const host = new URL(cluster).hostname;
      return /^[\d.]+$|^\[/.test(host) ? host : host.split('.')[0] || cluster;
    } catch {
      return cluster;
    }
  }
  return cluster;
}

/** The tier a cluster's name says, else the one its overlays' paths or namespaces say. */
function tierOf(cluster: string, apps: readonly ArgoApplication[]): string {
  const byName = inferTier(clusterName(cluster));
  if (TIERS.has(byName)) return byName;
  const votes = new Map<string, number>();
  for (const app of apps) {
    for (const hint of [...app.path.split('/'), app.namespace, app.name]) {
      const tier = inferTier(hint);
      if (TIERS.has(tier)) votes.set(tier, (votes.get(tier) ?? 0) + 1);
    }
  }
  const [best] = [...votes].sort((a, b) => b[1] - a[1]);
  return best?.[0] ?? 'production';
}

/** The directories Applications live in, as globs (narrower than the default "every YAML file"). */
function applicationGlobs(apps: readonly ArgoApplication[]): string[] {
  const dirs = new Set(apps.map((a) => posix.dirname(a.file).split('/')[0] as string));
  if (dirs.has('.') || dirs.size === 0) return ['**/*.yaml', '**/*.yml'];
  return [...dirs].sort().map((d) => `${d}/**/*.yaml`);
}

export function deriveSettings(apps: readonly ArgoApplication[]): Derived {
  const byCluster = new Map<string, ArgoApplication[]>();
  for (const app of apps) byCluster.set(app.cluster, [...(byCluster.get(app.cluster) ?? []), app]);
  const clusters = [...byCluster.keys()].filter(Boolean).sort();
  const tiers = clusters.map((c) => tierOf(c, byCluster.get(c) ?? []));
  const environments = clusters.map((cluster, i) => {
    const tier = tiers[i] as string;
    // Named after the tier when one cluster has it, else after the cluster.
    const unique = tiers.filter((t) => t === tier).length === 1;
    const aliases = cluster === IN_CLUSTER ? [cluster, 'in-cluster'] : [cluster];
    return { name: unique ? tier : clusterName(cluster), tier, clusters: aliases };
  });
  return { applications: applicationGlobs(apps), environments };
}

const yamlString = (s: string) => (/^[A-Za-z0-9_./*@-]+$/.test(s) && !/^[*@]/.test(s) ? s : JSON.stringify(s));

export function renderConfig(derived: Derived, found: number): string {
  const envs = derived.environments.map((e) => {
    const hours =
      e.tier === 'production'
        ? '    # Business hours in the team\'s time zone: the default policies are stricter outside them.\n    timezone: UTC # your team\'s, e.g. Europe/Berlin\n    businessHours: { days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" }\n'
        : '';
    return `  - name: ${yamlString(e.name)}\n    tier: ${e.tier}\n    clusters: [${e.clusters.map(yamlString).join(', ')}]\n${hours}`;
  });
  return `# yaml-language-server: $schema=${CONFIG_SCHEMA_URL}
# salve's settings for this config repo (written by salve init; every field is optional).
apiVersion: salve.dev/v1

# Where the Argo CD Applications live (${found} found); each maps (cluster, namespace) to an overlay.
applications:
${derived.applications.map((g) => `  - ${yamlString(g)}`).join('\n')}

# One entry per Argo CD destination found. The tier is what policies key on.
environments:${envs.length === 0 ? ' []' : `\n${envs.join('')}`}
# Trust ladder: observe (record only), approve (a PR for a human) or automate (auto-merge when
# policy allows). First matching rule wins, then default.
trust:
  default: approve
  rules: []
  #  - environment: staging
  #    action: raise-memory-limit
  #    mode: automate

# How far one remediation may go (the defaults are shown).
# policy:
#   confidenceThreshold: 0.8
#   riskThreshold: 0.4
#   protectedNamespaces: [kube-system, kube-public, argocd]
#   bounds: { memoryMaxFactor: 2, memoryCap: 8Gi, cpuMaxFactor: 2, cpuCap: "4", replicasMaxFactor: 2, replicasCap: 50 }
#   rollbackMaxReleaseAge: 2h

# Progressive delivery: with adopt: true, a production fix that deserves a canary first proposes
# adopting Argo Rollouts as its own PR.
# rollouts:
#   adopt: false

# Change freezes, e.g.:
# freezes:
#   - { name: year-end, from: "2025-12-20T00:00:00Z", to: "2026-01-05T00:00:00Z", environments: [production] }

# Trusted public keys for proof signatures (salve init put one here).
keys:
  - .salve/keys/*.pub

# Who authors salve's commits (default: the user id of the OpenPGP key that signs them).
# commitAuthor: { name: salve, email: salve@example.org }
`;
}
