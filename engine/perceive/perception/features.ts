/**
 * The feature vector fusion reads, from an incident's signals and its telemetry. Every feature is
 * in [0, 1]. `signalled` says an alert or event fired at all: always 1 for an incident, 0 for the
 * background minutes of benchmark data, so that the difference in base rates has its own weight.
 * `metric-missing` and `log-missing` mark a modality that was not observed (its features are then
 * all 0): the risk head does not weigh them, it drops the modality instead (see `PRESENCE`), so no
 * data is neither mistaken for normal data nor read as evidence.
 */
import type { Signal, SignalKind } from '../../model/index.ts';
import { eventFlags } from '../detectors/event-flags/index.ts';
import { type LogEvidence, logEvidence } from './log-features.ts';
import { type MetricEvidence, metricEvidence } from './metric-features.ts';
import type { Telemetry } from './telemetry.ts';

export const FEATURES = [
  'signalled',
  'metric-anomaly',
  'metric-missing',
  'log-novel-share',
  'log-distance',
  'log-missing',
  'flag-crash',
  'flag-oom',
  'flag-image',
  'flag-probe',
  'flag-scaling',
  'flag-throttling',
  'flag-slo',
  'flag-node',
  'alert-critical',
  'restarts',
  'spread',
] as const;
export type Feature = (typeof FEATURES)[number];
export type FeatureVector = Record<Feature, number>;

/** The features of each telemetry modality, keyed by the flag that says it was not observed. */
export const PRESENCE: ReadonlyArray<{ missing: Feature; features: readonly Feature[] }> = [
  { missing: 'metric-missing', features: ['metric-anomaly'] },
  { missing: 'log-missing', features: ['log-novel-share', 'log-distance'] },
];

export type Evidence = MetricEvidence | LogEvidence;

const FLAG_OF: Record<SignalKind, Feature> = {
  CrashLoopBackOff: 'flag-crash',
  OOMKilled: 'flag-oom',
  ImagePullBackOff: 'flag-image',
  ProbeFailure: 'flag-probe',
  PodNotReady: 'flag-probe',
  HPAMaxedOut: 'flag-scaling',
  CPUThrottling: 'flag-throttling',
  ErrorRateBreach: 'flag-slo',
  LatencyBreach: 'flag-slo',
  NodePressure: 'flag-node',
  FailedScheduling: 'flag-node',
};

export function emptyVector(): FeatureVector {
  return Object.fromEntries(FEATURES.map((f) => [f, 0])) as FeatureVector;
}

function maxRestarts(signals: readonly Signal[]): number {
  let max = 0;
  for (const s of signals)
    for (const e of s.evidence) {
      const r = e.data?.restartCount;
      if (typeof r === 'number' && r > max) max = r;
    }
  return max;
}

/**
 * The signal part of the vector: flags, alert severity, restarts, spread. Each flag is what the
 * event-flags detector says at the newest signal: 1 − 2^(−n) for n reports of the kind, decayed
 * with their age (one report 0.5, several close together near 1, old ones fading).
 */
export function signalFeatures(signals: readonly Signal[], x: FeatureVector = emptyVector()): FeatureVector {
  const firing = signals
    .filter((s) => s.status === 'firing')
    .map((s) => ({ s, t: Date.parse(s.observedAt) / 1000 }))
    .map(({ s, t }) => ({ s, t: Number.isFinite(t) ? t : 0 }))
    .sort((a, b) => a.t - b.t);
  x.signalled = firing.length > 0 ? 1 : 0;
  const flags = eventFlags.create();
  for (const { s, t } of firing) flags.update({ t, kind: s.kind });
  const now = firing.at(-1)?.t ?? 0;
  for (const [kind, count] of Object.entries(flags.flags(now))) {
    const f = FLAG_OF[kind as SignalKind];
    if (f) x[f] = Math.max(x[f], 1 - 2 ** -count);
  }
  const signalsOnly = firing.map((f) => f.s);
  if (signalsOnly.some((s) => s.labels.severity === 'critical')) x['alert-critical'] = 1;
  x.restarts = Math.min(1, Math.log2(1 + maxRestarts(signalsOnly)) / 5);
  const pods = new Set(signalsOnly.map((s) => s.pod).filter((p) => p !== undefined)).size;
  x.spread = Math.min(1, Math.log2(Math.max(1, signalsOnly.length, pods)) / 8);
  return x;
}

/** Metric and log parts of the vector, with the evidence behind them. */
export function telemetryFeatures(
  telemetry: Telemetry,
  x: FeatureVector = emptyVector(),
): { x: FeatureVector; evidence: Evidence[] } {
  const metrics = metricEvidence(telemetry.metrics);
  const logs = telemetry.logs.flatMap((w) => {
    const e = logEvidence(w);
    return e ? [e] : [];
  });
  x['metric-missing'] = metrics.length === 0 ? 1 : 0;
  x['metric-anomaly'] = metrics[0]?.score ?? 0;
  x['log-missing'] = logs.length === 0 ? 1 : 0;
  x['log-novel-share'] = Math.max(0, ...logs.map((l) => l.novelShare));
  x['log-distance'] = Math.max(0, ...logs.map((l) => l.distance));
  return { x, evidence: [...metrics.slice(0, 3), ...logs] };
}

export function extractFeatures(
  signals: readonly Signal[],
  telemetry: Telemetry,
): { x: FeatureVector; evidence: Evidence[] } {
  return telemetryFeatures(telemetry, signalFeatures(signals));
}
