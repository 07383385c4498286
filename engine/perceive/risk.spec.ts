import { describe, expect, it } from 'vitest';
import type { Signal, SignalKind } from '../model/index.ts';
import { Risk } from '../model/index.ts';
import { scenario } from './fit/synthetic.ts';
import { DEFAULT_MODEL } from './perception/default-model.ts';
import { NO_RISK, scoreRisk } from './risk.ts';

function signal(i: number, over: Partial<Signal> = {}, restarts = 0): Signal {
  return {
    id: `s${i}`,
    source: 'alertmanager',
    kind: 'OOMKilled',
    status: 'firing',
    target: { cluster: 'c', namespace: 'n', kind: 'Deployment', name: 'web' },
    pod: `web-7d9f8b6c5d-${i}`,
    observedAt: '2025-06-12T09:00:00Z',
    labels: { severity: 'warning' },
    evidence: [{ source: 'x', summary: 'y', data: { restartCount: restarts } }],
    ...over,
  };
}

const KINDS: SignalKind[] = [
  'OOMKilled',
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ProbeFailure',
  'PodNotReady',
  'CPUThrottling',
  'HPAMaxedOut',
  'FailedScheduling',
  'ErrorRateBreach',
  'LatencyBreach',
  'NodePressure',
];

describe('perceive/risk', () => {
  it('stays a valid Risk in [0,1] for every kind and extreme inputs', () => {
    for (const kind of KINDS)
      for (const n of [1, 10, 1000]) {
        const risk = scoreRisk(
          Array.from({ length: n }, (_, i) => signal(i, { kind, labels: { severity: 'critical' } }, 500)),
        );
        expect(Risk.parse(risk)).toEqual(risk);
        expect(risk.score).toBeGreaterThan(0);
        expect(risk.score).toBeLessThanOrEqual(1);
        expect(risk.model).toBe(DEFAULT_MODEL.version);
      }
    expect(scoreRisk([])).toEqual(NO_RISK);
    expect(scoreRisk([signal(0, { status: 'resolved' })])).toEqual(NO_RISK);
  });

  it('names its type from the most specific cause', () => {
    expect(scoreRisk([signal(0), signal(1, { kind: 'CrashLoopBackOff' })]).type).toBe('resource-pressure');
    expect(scoreRisk([signal(0, { kind: 'HPAMaxedOut' })]).type).toBe('scaling');
    expect(scoreRisk([signal(0, { kind: 'ImagePullBackOff' })]).type).toBe('image');
    expect(scoreRisk([signal(0, { kind: 'CrashLoopBackOff' })]).type).toBe('crash-loop');
  });

  it('attributes the whole logit: the score is the recalibrated sigmoid of the summed attributions', () => {
    const risk = scoreRisk([
      signal(0, {}, 4),
      signal(1, { kind: 'CrashLoopBackOff', labels: { severity: 'critical' } }),
    ]);
    expect(risk.attributions[0]?.factor).toBe('baseline');
    expect(risk.attributions.map((a) => a.factor)).toEqual(
      expect.arrayContaining(['flag-oom', 'flag-crash', 'alert-critical', 'restarts', 'metric-missing', 'log-missing']),
    );
    const z = risk.attributions.reduce((s, a) => s + a.weight, 0);
    const { a, b } = DEFAULT_MODEL.platt;
    expect(risk.score).toBeCloseTo(1 / (1 + Math.exp(-(a * z + b))), 2);
    const [lo, hi] = risk.interval as [number, number];
    expect(lo).toBeLessThanOrEqual(risk.score + 0.01);
    expect(hi).toBeGreaterThanOrEqual(risk.score - 0.01);
  });

  it('rises with corroborating flags, alert severity and restarts', () => {
    const base = scoreRisk([signal(0, { kind: 'ProbeFailure' })]).score;
    expect(
      scoreRisk([signal(0, { kind: 'ProbeFailure' }), signal(1, { kind: 'ErrorRateBreach' })]).score,
    ).toBeGreaterThan(base);
    expect(scoreRisk([signal(0, { kind: 'ProbeFailure', labels: { severity: 'critical' } })]).score).toBeGreaterThan(
      base,
    );
    expect(scoreRisk([signal(0, { kind: 'ProbeFailure' }, 20)]).score).toBeGreaterThan(base);
  });

  it('scores a benign daily peak low and says the metric is inside its seasonal band', () => {
    const s = scenario('benign-daily-peak', 1000);
    const risk = scoreRisk(s.signals, s.telemetry);
    expect(risk.score).toBeLessThan(0.2);
    const metric = risk.evidence?.find((e) => e.kind === 'metric');
    expect(metric).toBeDefined();
    expect(risk.attributions.find((a) => a.factor === 'metric-anomaly')?.detail).toMatch(/inside its seasonal band/);
    // Without the windows, the same signal is no longer benign.
    expect(scoreRisk(s.signals).score).toBeGreaterThan(0.4);
    const surge = scenario('surge-off-peak', 1000);
    const high = scoreRisk(surge.signals, surge.telemetry);
    expect(high.score).toBeGreaterThan(0.9);
    expect(high.attributions.find((a) => a.factor === 'metric-anomaly')?.detail).toMatch(/against its seasonal band/);
  });

  it('is more confident that a crash loop is the release when its logs show new templates, less when they are unchanged', () => {
    const fresh = scenario('crash-loop-new-templates', 1000);
    const same = scenario('crash-loop-unchanged-logs', 1000);
    const withNew = scoreRisk(fresh.signals, fresh.telemetry);
    const unchanged = scoreRisk(same.signals, same.telemetry);
    expect(withNew.confidence).toBeGreaterThan(0.8);
    expect(unchanged.confidence).toBeLessThan(0.5);
    const log = withNew.evidence?.find((e) => e.kind === 'log');
    expect(log?.kind === 'log' && log.novel.map((n) => n.template)).toContain(
      'Application run failed: bean checkoutClient could not be created',
    );
  });
});
