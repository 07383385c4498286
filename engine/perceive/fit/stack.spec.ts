import { describe, expect, it } from 'vitest';
import { emptyVector, FEATURES, type FeatureVector } from '../perception/features.ts';
import { logit } from '../perception/model.ts';
import { rng } from './logistic.ts';
import { fitStacked, MODALITIES } from './stack.ts';

/**
 * Rows where logs exist only for a minority (as in the Nezha data: one system of two has logs),
 * and where their content, not their presence, tells incidents apart: half the log rows are
 * incidents, and the incidents' logs are novel.
 */
function rows(n: number) {
  const r = rng(7);
  return Array.from({ length: n }, (_, i) => {
    const x = emptyVector();
    const incident = r() < 0.3;
    x['metric-anomaly'] = incident ? 0.5 + 0.5 * r() : 0.6 * r();
    if (i % 5 === 0) {
      x['log-novel-share'] = incident ? 0.4 + 0.6 * r() : 0.1 * r();
      x['log-distance'] = incident ? 0.3 + 0.3 * r() : 0.05 * r();
    } else x['log-missing'] = 1;
    return { x, risk: incident ? 1 : 0 };
  });
}

/** The stack computed by hand: centred telemetry, 0 where unobserved, the log head without its bias. */
function stackedLogit(s: ReturnType<typeof fitStacked>, x: FeatureVector) {
  const centres = s.head.centers ?? {};
  const centred = { ...x };
  for (const [f, c] of Object.entries(centres)) {
    const missing = f.startsWith('log-') ? 'log-missing' : 'metric-missing';
    centred[f as keyof FeatureVector] = x[missing] === 1 ? 0 : x[f as keyof FeatureVector] - c;
  }
  return MODALITIES.reduce((z, m) => {
    const h = s.modalities.find((h) => h.name === m.name)?.head as { bias: number; weights: Record<string, number> };
    const content = logit({ bias: m.missing ? 0 : h.bias, weights: h.weights }, centred).z;
    return z + (s.fusion.weights[m.name] as number) * content;
  }, s.fusion.bias);
}

describe('perceive/fit/stack', () => {
  const data = rows(4000);
  const s = fitStacked(data, (rs) => rs.map(() => 1), 1, 0.01);

  it('fits each modality only where it was observed', () => {
    expect(s.modalities.map((m) => [m.name, m.rows])).toEqual([
      ['context', 4000],
      ['log', 800],
    ]);
    // The log head learned from content: novel logs raise the risk it reads.
    const log = s.modalities.find((m) => m.name === 'log')?.head;
    expect((log?.weights['log-novel-share'] as number) + (log?.weights['log-distance'] as number)).toBeGreaterThan(3);
    expect(s.fusion.weights.log).toBeGreaterThan(0.25);
  });

  it('ships one flat head that gives the same logit as the stack, with or without logs', () => {
    expect(Object.keys(s.head.weights)).toEqual(FEATURES.filter((f) => !f.endsWith('-missing')));
    expect(Object.keys(s.head.centers ?? {})).toEqual(['metric-anomaly', 'log-novel-share', 'log-distance']);
    for (const { x } of data.slice(0, 200)) expect(logit(s.head, x).z).toBeCloseTo(stackedLogit(s, x), 3);
  });

  it('treats a missing modality as no evidence: it contributes exactly 0, and its flag has no weight', () => {
    const x = emptyVector();
    x['metric-anomaly'] = 0.8;
    x['log-missing'] = 1;
    const { z, parts } = logit(s.head, x);
    expect(parts.filter((p) => p.feature.startsWith('log-')).map((p) => p.value)).toEqual([0, 0]);
    expect(s.head.weights['log-missing']).toBeUndefined();
    expect(s.head.weights['metric-missing']).toBeUndefined();
    // An observed log window counts by how its content differs from a typical one: novel logs raise
    // the risk, quiet ones (below the typical share and distance) lower it.
    const novel = { ...x, 'log-missing': 0, 'log-novel-share': 0.9, 'log-distance': 0.5 };
    const quiet = { ...x, 'log-missing': 0 };
    expect(logit(s.head, novel).z).toBeGreaterThan(z + 1);
    expect(logit(s.head, quiet).z).toBeLessThan(z);
    // A missing metric window is not read as a normal (anomaly 0) one.
    const noMetrics = { ...emptyVector(), 'metric-missing': 1, 'log-missing': 1 };
    const normalMetrics = { ...emptyVector(), 'log-missing': 1 };
    expect(logit(s.head, normalMetrics).z).toBeLessThan(logit(s.head, noMetrics).z - 0.5);
    expect(logit(s.head, noMetrics).z).toBe(s.head.bias);
  });
});
