import { describe, expect, it } from 'vitest';
import type { Signal, SignalKind } from '../model/index.ts';
import { Risk } from '../model/index.ts';
import { BASE_SEVERITY, scoreRisk } from './risk.ts';

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
const many = (n: number, over: Partial<Signal> = {}) =>
  Array.from({ length: n }, (_, i) => signal(i, { pod: 'one', ...over }));

describe('perceive/risk', () => {
  it('stays in [0,1] for every kind and extreme inputs', () => {
    for (const kind of Object.keys(BASE_SEVERITY) as SignalKind[]) {
      for (const n of [1, 10, 1000]) {
        const risk = scoreRisk(
          Array.from({ length: n }, (_, i) => signal(i, { kind, labels: { severity: 'critical' } }, 500)),
        );
        expect(Risk.parse(risk)).toEqual(risk);
        expect(risk.score).toBeGreaterThan(0);
        expect(risk.score).toBeLessThanOrEqual(1);
      }
    }
  });

  it('is monotone in occurrences', () => {
    const scores = [1, 2, 5, 20, 100, 300, 1000].map((n) => scoreRisk(many(n)).score);
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeGreaterThanOrEqual(scores[i - 1] as number);
    expect(scores.at(-1)).toBeGreaterThan(scores[0] as number);
  });

  it('rises with distinct pods, alert severity and restarts', () => {
    const base = scoreRisk(many(4)).score;
    expect(scoreRisk(Array.from({ length: 4 }, (_, i) => signal(i))).score).toBeGreaterThan(base);
    expect(scoreRisk(many(4, { labels: { severity: 'critical' } })).score).toBeGreaterThan(base);
    expect(scoreRisk(many(4, { labels: { severity: 'info' } })).score).toBeLessThan(base);
    expect(scoreRisk([signal(0, { pod: 'one' }, 20)]).score).toBeGreaterThan(
      scoreRisk([signal(0, { pod: 'one' })]).score,
    );
  });

  it('names its type from the most specific cause and attributes every factor', () => {
    const risk = scoreRisk([signal(0), signal(1, { kind: 'CrashLoopBackOff' })]);
    expect(risk.type).toBe('resource-pressure');
    expect(risk.attributions.map((a) => a.factor)).toEqual([
      'base-severity',
      'occurrences',
      'pods',
      'alert-severity',
      'restarts',
      'corroboration',
    ]);
    const z = risk.attributions.reduce((s, a) => s + a.weight, 0);
    expect(risk.score).toBeCloseTo(1 / (1 + Math.exp(-z)), 2);
    expect(scoreRisk([signal(0, { kind: 'HPAMaxedOut' })]).type).toBe('scaling');
    expect(scoreRisk([signal(0, { kind: 'ImagePullBackOff' })]).type).toBe('image');
    expect(scoreRisk([signal(0, { kind: 'CrashLoopBackOff' })]).type).toBe('crash-loop');
  });

  it('is more confident with more, agreeing, corroborated evidence', () => {
    const one = scoreRisk([signal(0, { source: 'kubernetes' })]).confidence;
    const several = scoreRisk([signal(0), signal(1), signal(2)]).confidence;
    expect(several).toBeGreaterThan(one);
    const disagreeing = scoreRisk([
      signal(0),
      signal(1, { kind: 'HPAMaxedOut' }),
      signal(2, { kind: 'ImagePullBackOff' }),
    ]).confidence;
    expect(disagreeing).toBeLessThan(several);
    expect(scoreRisk([])).toEqual({
      score: 0,
      confidence: 0,
      type: 'unknown',
      attributions: [],
    });
    expect(scoreRisk([signal(0, { status: 'resolved' })]).score).toBe(0);
  });
});
