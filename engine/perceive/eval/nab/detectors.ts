/** The detectors NAB scores in the evaluation, each with one configuration for every file. */
import { cadOse } from '../../detectors/cad-ose/index.ts';
import { contextNovelty } from '../../detectors/context-novelty/index.ts';
import { ewmaLikelihood } from '../../detectors/ewma-likelihood/index.ts';
import { streamEnsemble } from '../../detectors/stream-ensemble/index.ts';
import type { Detector } from '../../detectors/types.ts';
import { MetricScorer } from '../../perception/metric-features.ts';

export const NAB_DETECTORS: Record<string, () => Detector<'metric'>> = {
  'stream-ensemble': () => streamEnsemble.create(),
  'context-novelty': () => contextNovelty.create(),
  'cad-ose': () => cadOse.create(),
  'ewma-likelihood': () => ewmaLikelihood.create(),
  'incident metric scorer (seasonal-residual + flat)': () => {
    const s = new MetricScorer();
    return {
      id: 'metric-scorer',
      update: (p) => s.update(p.t, p.value).score,
      snapshot: () => ({ detector: 'metric-scorer', version: 1, state: null }),
    };
  },
};
