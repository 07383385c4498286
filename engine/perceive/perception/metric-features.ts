/**
 * Metric evidence for one incident: each window runs through two seasonal-residual detectors, one
 * with the window's period (a day by default) and one with a flat baseline (a single slot that
 * follows the level within half an hour). Where the seasonal detector has a baseline for a point,
 * its score is the point's anomaly (a peak reached every day is not one); where it has none yet
 * (less than two periods of history), the flat one's is. The window's anomaly is the highest over
 * its last `RECENT_POINTS` points; the strongest window is the evidence an explanation shows: its
 * value with the baseline band.
 */
import { type Band, type SeasonalDetector, seasonalResidual } from '../detectors/seasonal-residual/index.ts';
import type { MetricWindow } from './telemetry.ts';

export interface MetricEvidence {
  kind: 'metric';
  name: string;
  at: string;
  value: number;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  score: number;
}

/** How many of a window's last points count as "now". */
export const RECENT_POINTS = 3;

/** The flat baseline: the level and its scale, learnt within half an hour. */
export const FLAT_BASELINE = {
  periodSeconds: 1800,
  slots: 1,
  seasonAlpha: 0.1,
  levelAlpha: 0.1,
  scaleAlpha: 0.02,
  minCycles: 1,
} as const;

/** The two detectors behind one metric feature, stepped together. */
export class MetricScorer {
  private readonly seasonal: SeasonalDetector;
  private readonly flat: SeasonalDetector;

  constructor(periodSeconds?: number) {
    this.seasonal = seasonalResidual.create(periodSeconds ? { periodSeconds } : {});
    this.flat = seasonalResidual.create(FLAT_BASELINE);
  }

  update(t: number, value: number): { score: number; band: Band | null } {
    const seasonBand = this.seasonal.band(t);
    const flatBand = this.flat.band(t);
    const fromSeason = this.seasonal.update({ t, value });
    const fromFlat = this.flat.update({ t, value });
    return seasonBand ? { score: fromSeason, band: seasonBand } : { score: fromFlat, band: flatBand };
  }
}

export function windowAnomaly(w: MetricWindow): MetricEvidence | null {
  const finite = w.points.filter(([, v]) => Number.isFinite(v));
  if (finite.length === 0) return null;
  const scorer = new MetricScorer(w.periodSeconds);
  const from = finite.length - RECENT_POINTS;
  let best: { i: number; score: number; band: Band | null } = { i: finite.length - 1, score: 0, band: null };
  finite.forEach(([t, value], i) => {
    const r = scorer.update(t, value);
    if (i >= from && r.score >= best.score) best = { i, ...r };
  });
  const [t, value] = finite[best.i] as [number, number];
  return {
    kind: 'metric',
    name: w.name,
    at: new Date(t * 1000).toISOString(),
    value,
    expected: best.band?.expected ?? null,
    lower: best.band?.lower ?? null,
    upper: best.band?.upper ?? null,
    score: best.score,
  };
}

/** Every window's evidence, strongest first (ties by name). */
export function metricEvidence(windows: readonly MetricWindow[]): MetricEvidence[] {
  return windows
    .flatMap((w) => {
      const e = windowAnomaly(w);
      return e ? [e] : [];
    })
    .sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : 1));
}
