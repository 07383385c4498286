/**
 * Which clusters salve reads, and how much of them it shows.
 *
 * - `ClusterSettings` (from `salve serve` flags, the operator's choice): one entry per kubeconfig
 *   context (or the in-cluster service account), each named as signals and `.salve.yaml`
 *   environments name clusters, and the namespaces to watch. A config repo cannot choose these:
 *   evidence read from a cluster is published in that repo's pull requests.
 * - `EvidenceSettings` (from `.salve.yaml`, `cluster.evidence`): how much evidence a repo's PRs
 *   carry, within hard caps, or none (`logs: false`).
 */
import { z } from 'zod';
import { ConfigError } from '../model/index.ts';

export const ClusterContext = z
  .object({
    /** The cluster's name in signals: use the name `.salve.yaml` environments list under `clusters`. */
    name: z.string().min(1),
    /** kubeconfig context; unset with `inCluster`. */
    context: z.string().min(1).optional(),
    /** The pod's own service account (in-cluster configuration). */
    inCluster: z.boolean().default(false),
  })
  .strict();
export type ClusterContext = z.infer<typeof ClusterContext>;

export const ClusterSettings = z
  .object({
    kubeconfig: z.string().optional(),
    contexts: z.array(ClusterContext).min(1),
    /** Empty: every namespace (salve must then be able to list them). */
    namespaces: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a namespace name')).default([]),
  })
  .strict();
export type ClusterSettings = z.infer<typeof ClusterSettings>;

export const EvidenceSettings = z
  .object({
    logs: z.boolean().default(true),
    logLines: z.number().int().min(1).max(500).default(100),
    logBytes: z
      .number()
      .int()
      .min(256)
      .max(64 * 1024)
      .default(16 * 1024),
    events: z.number().int().min(0).max(50).default(10),
  })
  .strict();
export type EvidenceSettings = z.infer<typeof EvidenceSettings>;

/**
 * `prod=prod-admin,staging` (name=context, or a context named as its cluster) and an optional
 * in-cluster name, as the serve flags give them.
 */
export function parseClusterFlags(flags: {
  kubeContexts?: string | undefined;
  kubeInCluster?: string | undefined;
  kubeconfig?: string | undefined;
  namespaces?: string | undefined;
}): ClusterSettings {
  const contexts: ClusterContext[] = [];
  for (const item of (flags.kubeContexts ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, context] = item.includes('=') ? item.split('=', 2) : [item, item];
    contexts.push({ name: name?.trim() ?? '', context: context?.trim() ?? '', inCluster: false });
  }
  if (flags.kubeInCluster) contexts.push({ name: flags.kubeInCluster, inCluster: true });
  const parsed = ClusterSettings.safeParse({
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    contexts,
    namespaces: (flags.namespaces ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.path[0] === 'contexts' && i.code === 'too_small'
        ? 'the cluster intake needs --kube-contexts (name=context,...) or --kube-in-cluster <name>'
        : `${i.path.join('.')}: ${i.message}`,
    );
    throw new ConfigError(`salve serve: cluster settings: ${problems.join('; ')}`);
  }
  const names = parsed.data.contexts.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice)
    throw new ConfigError(`salve serve: cluster ${twice} is configured twice (--kube-contexts/--kube-in-cluster)`);
  return parsed.data;
}
