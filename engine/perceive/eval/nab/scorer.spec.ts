import { beforeAll, describe, expect, it } from 'vitest';
import { NAB_ROOT } from '../data-root.ts';
import { loadCorpus, type Series } from './corpus.ts';
import { PROFILES } from './profiles.ts';
import { readPublishedFileScores, readPublishedScores } from './published.ts';
import { normalise, optimiseThreshold, probationaryLength, rowWeights, scoreAt } from './scorer.ts';

/** NAB's results/final_results.json for windowedGaussian. */
const PUBLISHED = {
  standard: 39.649523496077585,
  reward_low_FP_rate: 20.86798582474138,
  reward_low_FN_rate: 47.4100271583046,
};

describe('perceive/eval/nab/scorer', () => {
  let corpus: Series[];
  let published: Map<string, Float64Array>;
  beforeAll(async () => {
    corpus = await loadCorpus(NAB_ROOT);
    published = new Map();
    for (const s of corpus) published.set(s.name, await readPublishedScores(NAB_ROOT, 'windowedGaussian', s.name));
  });

  it('reads the whole corpus: 58 series, 365,558 rows, 116 windows', () => {
    expect(corpus).toHaveLength(58);
    expect(corpus.reduce((n, s) => n + s.values.length, 0)).toBe(365_558);
    expect(corpus.reduce((n, s) => n + s.windows.length, 0)).toBe(116);
    expect(probationaryLength(22_695)).toBe(750);
    expect(probationaryLength(4032)).toBe(604);
  });

  for (const cost of PROFILES) {
    it(`reproduces windowedGaussian's published ${cost.name} score, file by file`, async () => {
      const expected = await readPublishedFileScores(NAB_ROOT, 'windowedGaussian', cost.name);
      let raw = 0;
      let windows = 0;
      for (const s of corpus) {
        const weights = rowWeights(s.values.length, s.windows, cost);
        const got = scoreAt(published.get(s.name) as Float64Array, weights, expected.threshold, cost);
        expect(got.score, s.name).toBeCloseTo(expected.files.get(s.name) as number, 6);
        raw += got.score;
        windows += weights.scoredWindows.length;
      }
      expect(windows).toBe(116);
      expect(raw).toBeCloseTo(expected.total, 6);
      expect(normalise(raw, windows, cost)).toBeCloseTo(PUBLISHED[cost.name], 4);
    });
  }

  it('finds the best corpus threshold by sweeping, never worse than any fixed threshold', () => {
    const cost = PROFILES[0] as (typeof PROFILES)[number];
    const files = corpus.map((s) => ({
      scores: published.get(s.name) as Float64Array,
      weights: rowWeights(s.values.length, s.windows, cost),
    }));
    const best = optimiseThreshold(files, cost);
    const at = (t: number) => files.reduce((sum, f) => sum + scoreAt(f.scores, f.weights, t, cost).score, 0);
    expect(best.score).toBeCloseTo(at(best.threshold), 6);
    for (const t of [0.2, 0.5, 0.9, 1.0]) expect(best.score).toBeGreaterThanOrEqual(at(t) - 1e-9);
    // A detector that fires everywhere scores far below the null detector.
    const everywhere = files.map((f) => ({ ...f, scores: new Float64Array(f.scores.length).fill(1) }));
    expect(everywhere.reduce((sum, f) => sum + scoreAt(f.scores, f.weights, 0.5, cost).score, 0)).toBeLessThan(-116);
  });
});
