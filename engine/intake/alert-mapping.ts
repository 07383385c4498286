/**
 * `.salve.yaml` `alerts:`: alert rules from other rule sets (awesome-prometheus-alerts, a vendor's)
 * mapped to signal kinds, with the labels that name their target. Matching is by exact values or
 * `*` wildcards, in time linear in the label's length: a config repo's patterns cannot stall intake.
 */
import type { AlertMapping } from '../config/schema.ts';

/** Which labels of an alert name its namespace, pod, container, cluster and (optionally) workload. */
export interface LabelNames {
  namespace: string;
  pod: string;
  container: string;
  cluster: string;
  workload?: { label: string; kind: string };
}

/** kube-state-metrics' label names, which salve's built-in alert names use. */
export const KSM_LABELS: LabelNames = {
  namespace: 'namespace',
  pod: 'pod',
  container: 'container',
  cluster: 'cluster',
};

/** An HPA signal's target is the HPA, named by kube-state-metrics' `horizontalpodautoscaler` label. */
export const HPA_LABEL = { label: 'horizontalpodautoscaler', kind: 'HorizontalPodAutoscaler' };

/**
 * Whether `value` matches `pattern`, where `*` matches any run of characters (empty included).
 * Greedy with one backtrack point: O(pattern × value) at worst, no regular expression.
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = v;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

function matchesAny(patterns: string | readonly string[], value: string | undefined): boolean {
  if (value === undefined) return false;
  return (typeof patterns === 'string' ? [patterns] : patterns).some((p) => wildcardMatch(p, value));
}

function matches(mapping: AlertMapping, labels: Record<string, string>): boolean {
  if (mapping.alertname !== undefined && !matchesAny(mapping.alertname, labels.alertname)) return false;
  return Object.entries(mapping.match).every(([name, patterns]) => matchesAny(patterns, labels[name]));
}

export function labelNamesOf(mapping: AlertMapping): LabelNames {
  const { namespace, pod, container, cluster, workload, workloadKind } = mapping.labels;
  const names: LabelNames = { namespace, pod, container, cluster };
  if (workload) names.workload = { label: workload, kind: workloadKind };
  else if (mapping.kind === 'HPAMaxedOut') names.workload = HPA_LABEL;
  return names;
}

/** The first `alerts:` entry the alert matches, with its index (for messages), or null. */
export function findMapping(
  mappings: readonly AlertMapping[],
  labels: Record<string, string>,
): { index: number; mapping: AlertMapping } | null {
  const index = mappings.findIndex((m) => matches(m, labels));
  const mapping = mappings[index];
  return mapping ? { index, mapping } : null;
}
