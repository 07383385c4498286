/**
 * Risk from the fitted model: score = the calibrated probability that the incident is real
 * (σ(a·z + b), z the risk head's logit), an interval from the bootstrap replicas, attributions
 * (each feature's share of z, with the evidence that set it), and a confidence that is a
 * calibrated probability too: for a crash loop or image failure, the cause head's probability that
 * the release is at fault (what a rollback bets on: new log templates raise it, unchanged logs
 * lower it); for every other type, 1 − the interval's width.
 */
import type { Attribution, RiskType, Signal, SignalKind } from '../../model/index.ts';
import { counted as plural } from '../../model/words.ts';
import { restartsDetail } from '../restarts.ts';
import { type Evidence, extractFeatures, type Feature, type FeatureVector, PRESENCE } from './features.ts';
import type { LogEvidence } from './log-features.ts';
import type { MetricEvidence } from './metric-features.ts';
import { calibrated, interval, logit, type PerceptionModel, sigmoid } from './model.ts';
import { NO_TELEMETRY, type Telemetry } from './telemetry.ts';

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

/** Most specific cause first: OOMKilled → resource-pressure wins over the crash loop it causes. */
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

const RELEASE_TYPES = new Set<RiskType>(['crash-loop', 'image']);

export function riskType(kinds: readonly SignalKind[]): RiskType {
  const cause = CAUSE_ORDER.find((k) => kinds.includes(k));
  return cause ? TYPE_OF[cause] : 'unknown';
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const pct = (x: number) => `${Math.round(x * 100)}%`;
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));

function metricDetail(e: MetricEvidence | undefined): string {
  if (!e) return 'no metric window';
  const band =
    e.lower === null || e.upper === null
      ? 'no seasonal baseline yet'
      : `seasonal band ${num(e.lower)}–${num(e.upper)} (expected ${num(e.expected as number)})`;
  const where = e.lower !== null && e.upper !== null && e.value >= e.lower && e.value <= e.upper ? 'inside' : 'against';
  return `${e.name} = ${num(e.value)} at ${e.at}, ${where} its ${band}; anomaly ${e.score.toFixed(2)}`;
}

function logDetail(e: LogEvidence | undefined, which: 'share' | 'distance'): string {
  if (!e) return 'no logs to compare';
  if (which === 'distance') return `template mix vs the baseline: cosine distance ${e.distance.toFixed(2)}`;
  return `${pct(e.novelShare)} of ${plural(e.currentLines, 'current line')} match no template of the ${plural(e.baselineLines, 'baseline line')} (${plural(e.novel.length, 'new template')})`;
}

function details(signals: readonly Signal[], evidence: readonly Evidence[]): Record<Feature, string> {
  const metric = evidence.find((e): e is MetricEvidence => e.kind === 'metric');
  const log = evidence.find((e): e is LogEvidence => e.kind === 'log');
  const kinds = (ks: SignalKind[]) => {
    const seen = [...new Set(signals.map((s) => s.kind).filter((k) => ks.includes(k)))];
    return seen.length > 0 ? `${seen.join(', ')} reported` : 'not reported';
  };
  return {
    signalled: `${plural(signals.length, 'firing signal')}: ${[...new Set(signals.map((s) => s.kind))].join(', ')}`,
    'metric-anomaly': metricDetail(metric),
    'metric-missing': metric ? 'metric windows present' : `no metric window: judged on ${log ? 'logs and ' : ''}events`,
    'log-novel-share': logDetail(log, 'share'),
    'log-distance': logDetail(log, 'distance'),
    'log-missing': log ? 'logs present' : `no logs: judged on ${metric ? 'metrics and ' : ''}events`,
    'flag-crash': kinds(['CrashLoopBackOff']),
    'flag-oom': kinds(['OOMKilled']),
    'flag-image': kinds(['ImagePullBackOff']),
    'flag-probe': kinds(['ProbeFailure', 'PodNotReady']),
    'flag-scaling': kinds(['HPAMaxedOut']),
    'flag-throttling': kinds(['CPUThrottling']),
    'flag-slo': kinds(['ErrorRateBreach', 'LatencyBreach']),
    'flag-node': kinds(['NodePressure', 'FailedScheduling']),
    'alert-critical': 'an alert is critical',
    restarts: restartsDetail(signals),
    spread: `${plural(signals.length, 'signal')} from ${plural(new Set(signals.map((s) => s.pod).filter(Boolean)).size, 'pod')}`,
  };
}

export interface Assessment {
  score: number;
  confidence: number;
  type: RiskType;
  interval: [number, number];
  attributions: Attribution[];
  evidence: Evidence[];
  features: FeatureVector;
  model: string;
}

export function assess(
  signals: readonly Signal[],
  model: PerceptionModel,
  telemetry: Telemetry = NO_TELEMETRY,
): Assessment | null {
  const firing = signals.filter((s) => s.status === 'firing');
  if (firing.length === 0) return null;
  const type = riskType([...new Set(firing.map((s) => s.kind))]);
  const { x, evidence } = extractFeatures(firing, telemetry);
  const { z, parts } = logit(model.risk, x);
  const score = calibrated(model, z);
  const range = interval(model, x);
  const confidence = RELEASE_TYPES.has(type) ? sigmoid(logit(model.cause, x).z) : 1 - (range[1] - range[0]);
  const text = details(firing, evidence);
  // A zero contribution is still worth showing when it is what telemetry said ("inside its band").
  const shown = new Set<string>([
    ...(evidence.some((e) => e.kind === 'metric') ? ['metric-anomaly'] : []),
    ...(evidence.some((e) => e.kind === 'log') ? ['log-novel-share', 'log-distance'] : []),
  ]);
  // A modality that was not observed weighs nothing (the model drops it): say so, with weight 0.
  const absent = PRESENCE.filter((m) => x[m.missing] === 1).map((m) => ({
    feature: m.missing as string,
    value: parts.find((p) => p.feature === m.missing)?.value ?? 0,
  }));
  const attributions: Attribution[] = [
    { factor: 'baseline', weight: round(model.risk.bias), detail: `${model.version} prior` },
    ...[...parts.filter((p) => !absent.some((a) => a.feature === p.feature)), ...absent]
      .filter((p) => Math.abs(p.value) >= 0.0005 || shown.has(p.feature) || absent.includes(p))
      .sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || (a.feature < b.feature ? -1 : 1))
      .map((p) => ({ factor: p.feature, weight: round(p.value), detail: text[p.feature as Feature] })),
  ];
  return {
    score: round(score),
    confidence: round(Math.max(0, Math.min(1, confidence))),
    type,
    interval: [round(range[0]), round(range[1])],
    attributions,
    evidence,
    features: x,
    model: model.version,
  };
}
