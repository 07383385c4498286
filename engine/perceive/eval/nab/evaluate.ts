/** Runs a metric detector over the NAB corpus and scores it under each profile (threshold swept). */
import type { Detector } from '../../detectors/types.ts';
import type { Series } from './corpus.ts';
import { type CostProfile, PROFILES, type ProfileName } from './profiles.ts';
import { normalise, optimiseThreshold, rowWeights, scoreAt } from './scorer.ts';

export interface ProfileResult {
  profile: ProfileName;
  threshold: number;
  raw: number;
  normalised: number;
  detected: number;
  missed: number;
  falsePositives: number;
}

/** One fresh detector per series (one configuration for all), fed every row in order. */
export function runDetector(corpus: readonly Series[], create: () => Detector<'metric'>): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const s of corpus) {
    const d = create();
    const scores = new Float64Array(s.values.length);
    for (let i = 0; i < s.values.length; i++)
      scores[i] = d.update({ t: s.times[i] as number, value: s.values[i] as number });
    out.set(s.name, scores);
  }
  return out;
}

export function scoreCorpus(
  corpus: readonly Series[],
  scores: ReadonlyMap<string, ArrayLike<number>>,
  profiles: readonly CostProfile[] = PROFILES,
  /** A fixed threshold instead of the sweep's (to check a published result). */
  fixed?: number,
): ProfileResult[] {
  return profiles.map((cost) => {
    const files = corpus.map((s) => ({
      scores: scores.get(s.name) as ArrayLike<number>,
      weights: rowWeights(s.values.length, s.windows, cost),
    }));
    const threshold = fixed ?? optimiseThreshold(files, cost).threshold;
    let raw = 0;
    let windows = 0;
    let detected = 0;
    let missed = 0;
    let falsePositives = 0;
    for (const f of files) {
      const r = scoreAt(f.scores, f.weights, threshold, cost);
      raw += r.score;
      detected += r.detected;
      missed += r.missed;
      falsePositives += r.falsePositives;
      windows += f.weights.scoredWindows.length;
    }
    return {
      profile: cost.name,
      threshold,
      raw,
      normalised: normalise(raw, windows, cost),
      detected,
      missed,
      falsePositives,
    };
  });
}
