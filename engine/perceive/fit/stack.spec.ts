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

const stackedLogit = (s: ReturnType<typeof fitStacked>, x: FeatureVector) =>
  s.fusion.bias +
  MODALITIES.reduce((z, m) => {
    if (m.missing && x[m.missing] === 1) return z;
    const h = s.modalities.find((h) => h.name === m.name)?.head;
    return z + (s.fusion.weights[m.name] as number) * (h ? logit(h, x).z : 0);
  }, 0);

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
    expect(Object.keys(s.head.weights)).toEqual([...FEATURES]);
    for (const { x } of data.slice(0, 200)) expect(logit(s.head, x).z).toBeCloseTo(stackedLogit(s, x), 3);
  });

  it('treats missing logs as no evidence: the same metrics give the risk the metrics and signals give', () => {
    const x = emptyVector();
    x['metric-anomaly'] = 0.8;
    x['log-missing'] = 1;
    const metricOnly =
      s.fusion.bias + (s.fusion.weights.context as number) * logit(s.modalities[0]?.head as never, x).z;
    expect(logit(s.head, x).z).toBeCloseTo(metricOnly, 3);
    // Observed logs count by what the log head reads in them: novel ones raise the risk, quiet
    // ones (here, where most log rows are not incidents) lower it.
    const novel = { ...x, 'log-missing': 0, 'log-novel-share': 0.9, 'log-distance': 0.5 };
    const quiet = { ...x, 'log-missing': 0 };
    expect(logit(s.head, novel).z).toBeGreaterThan(logit(s.head, x).z + 1);
    expect(logit(s.head, quiet).z).toBeLessThan(logit(s.head, x).z);
  });
});
