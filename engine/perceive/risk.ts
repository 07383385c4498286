/**
 * Risk scoring: a small, explainable logistic fusion (the paper's r = σ(α·r₁ + β·r₂ + γ·flags)).
 *
 *   score = σ( logit(b) + 0.8·f_occ + 0.6·f_pods + s_sev + 0.4·f_restarts + 0.3·(kinds − 1) )
 *
 * - b: the highest base severity among the signal kinds (BASE_SEVERITY, e.g. OOMKilled 0.7).
 * - f_occ = min(1, log2(occurrences) / 8): log-scaled; 256 distinct signals saturate.
 * - f_pods = min(1, (distinct pods − 1) / 4): spread across replicas.
 * - s_sev: the worst alert `severity` label: critical +0.6, warning +0.2, info or none 0.
 * - f_restarts = min(1, log2(1 + max restartCount) / 5): 31 restarts saturate.
 * - kinds: distinct signal kinds; corroborating symptoms (OOM + crash loop) add 0.3 each, at most 0.6.
 * Every term is ≥ 0 except logit(b), so the score never falls when evidence is added.
 *
 * confidence = 0.35 + 0.6 · (1 − e^(−n/2)) · agreement (+0.05 with two sources), in [0, 1]:
 * - n: evidence weight: an alert counts 2 (Prometheus already held it for its `for:` duration),
 *   a pod status 1.
 * - agreement: the share of signals consistent with the chosen type (crash loops and not-ready pods
 *   are consistent with any cause).
 *
 * type: the type of the most specific kind present (CAUSE_ORDER): OOMKilled → resource-pressure
 * wins over the CrashLoopBackOff it causes.
 *
 * `attributions` lists each term's contribution in logit units, as shown to reviewers.
 */
import type { Attribution, Risk, RiskType, Signal, SignalKind } from '../model/index.ts';
import { maxRestarts, restartsDetail } from './restarts.ts';

export const BASE_SEVERITY: Record<SignalKind, number> = {
  OOMKilled: 0.7,
  CrashLoopBackOff: 0.75,
  ImagePullBackOff: 0.6,
  ProbeFailure: 0.55,
  PodNotReady: 0.5,
  CPUThrottling: 0.45,
  HPAMaxedOut: 0.5,
  FailedScheduling: 0.55,
  ErrorRateBreach: 0.7,
  LatencyBreach: 0.6,
  NodePressure: 0.6,
};

const TYPE_OF: Record<SignalKind, RiskType> = {
  OOMKilled: 'resource-pressure',
  CPUThrottling: 'resource-pressure',
  FailedScheduling: 'resource-pressure',
  NodePressure: 'resource-pressure',
  CrashLoopBackOff: 'crash-loop',
  ImagePullBackOff: 'image',
  ProbeFailure: 'availability',
  PodNotReady: 'availability',
  ErrorRateBreach: 'availability',
  LatencyBreach: 'availability',
  HPAMaxedOut: 'scaling',
};

/** Most specific cause first. */
const CAUSE_ORDER: SignalKind[] = [
  'OOMKilled',
  'ImagePullBackOff',
  'NodePressure',
  'FailedScheduling',
  'HPAMaxedOut',
  'CPUThrottling',
  'ErrorRateBreach',
  'LatencyBreach',
  'ProbeFailure',
  'CrashLoopBackOff',
  'PodNotReady',
];
const SYMPTOMS = new Set<SignalKind>(['CrashLoopBackOff', 'PodNotReady']);
const SEVERITY: Record<string, number> = {
  critical: 0.6,
  warning: 0.2,
  info: 0,
};

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const logit = (p: number) => Math.log(p / (1 - p));
const round = (x: number) => Math.round(x * 1000) / 1000;

function worstSeverity(signals: readonly Signal[]): string | null {
  let worst: string | null = null;
  for (const s of signals) {
    const sev = s.labels.severity;
    if (sev !== undefined && sev in SEVERITY && (worst === null || (SEVERITY[sev] ?? 0) > (SEVERITY[worst] ?? 0)))
      worst = sev;
  }
  return worst;
}

/** Scores the firing signals of one incident. An empty list has no risk (score 0, type unknown). */
export function scoreRisk(signals: readonly Signal[]): Risk {
  const firing = signals.filter((s) => s.status === 'firing');
  if (firing.length === 0) return { score: 0, confidence: 0, type: 'unknown', attributions: [] };
  const kinds = [...new Set(firing.map((s) => s.kind))].sort();
  const cause = CAUSE_ORDER.find((k) => kinds.includes(k)) ?? kinds[0] ?? 'PodNotReady';
  const type = TYPE_OF[cause];
  const top = kinds.reduce((a, k) => (BASE_SEVERITY[k] > BASE_SEVERITY[a] ? k : a), kinds[0] ?? cause);
  const b = BASE_SEVERITY[top];
  const occurrences = firing.length;
  const pods = new Set(firing.map((s) => s.pod).filter((p) => p !== undefined)).size;
  const restarts = maxRestarts(firing) ?? 0;
  const severity = worstSeverity(firing);
  const attributions: Attribution[] = [
    {
      factor: 'base-severity',
      weight: logit(b),
      detail: `${top} has base severity ${b}`,
    },
    {
      factor: 'occurrences',
      weight: 0.8 * Math.min(1, Math.log2(occurrences) / 8),
      detail: `${occurrences} signal(s)`,
    },
    {
      factor: 'pods',
      weight: 0.6 * Math.min(1, Math.max(0, pods - 1) / 4),
      detail: `${pods} distinct pod(s)`,
    },
    {
      factor: 'alert-severity',
      weight: severity ? (SEVERITY[severity] ?? 0) : 0,
      detail: `worst alert severity: ${severity ?? 'none'}`,
    },
    {
      factor: 'restarts',
      weight: 0.4 * Math.min(1, Math.log2(1 + restarts) / 5),
      detail: restartsDetail(firing),
    },
    {
      factor: 'corroboration',
      weight: 0.3 * Math.min(2, kinds.length - 1),
      detail: `kinds: ${kinds.join(', ')}`,
    },
  ];
  const score = sigmoid(attributions.reduce((z, a) => z + a.weight, 0));
  const evidence = firing.reduce((n, s) => n + (s.source === 'alertmanager' ? 2 : 1), 0);
  const agreeing = firing.filter((s) => TYPE_OF[s.kind] === type || SYMPTOMS.has(s.kind)).length;
  const sources = new Set(firing.map((s) => s.source)).size;
  const confidence = 0.35 + 0.6 * (1 - Math.exp(-evidence / 2)) * (agreeing / occurrences) + (sources > 1 ? 0.05 : 0);
  return {
    score: round(Math.min(1, Math.max(0, score))),
    confidence: round(Math.min(1, confidence)),
    type,
    attributions: attributions.map((a) => ({ ...a, weight: round(a.weight) })),
  };
}
