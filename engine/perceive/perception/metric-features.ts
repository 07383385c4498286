/**
 * Metric evidence for one incident: each window runs through seasonal-residual (its daily band)
 * and stream-ensemble (configured for short windows). Where the seasonal detector has a baseline
 * for a point, its score is the point's anomaly (a peak reached every day is not one); where it
 * has none yet (less than two periods of history), the stream detector's score is. The window's
 * anomaly is the highest over its last `RECENT_POINTS` points. The strongest window is the evidence an explanation shows:
 * its last value with the baseline band.
 */
import { seasonalResidual } from '../detectors/seasonal-residual/index.ts';
import { streamEnsemble } from '../detectors/stream-ensemble/index.ts';
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
/** stream-ensemble for incident windows: a few hours of history, not NAB's long warm-up. */
export const SHORT_WINDOW_STREAM = { warmup: 30 } as const;

export function windowAnomaly(w: MetricWindow): MetricEvidence | null {
  const finite = w.points.filter(([, v]) => Number.isFinite(v));
  if (finite.length === 0) return null;
  const seasonal = seasonalResidual.create(w.periodSeconds ? { periodSeconds: w.periodSeconds } : {});
  const stream = streamEnsemble.create(SHORT_WINDOW_STREAM);
  const from = finite.length - RECENT_POINTS;
  let best = -1;
  let bestAt = finite.length - 1;
  let band: ReturnType<typeof seasonal.band> = null;
  finite.forEach(([t, value], i) => {
    const b = seasonal.band(t);
    const fromSeason = seasonal.update({ t, value });
    const fromStream = stream.update({ t, value });
    const s = b ? fromSeason : fromStream;
    if (i >= from && s >= best) {
      best = s;
      bestAt = i;
      band = b;
    }
  });
  const [t, value] = finite[bestAt] as [number, number];
  const chosen = band as ReturnType<typeof seasonal.band>;
  return {
    kind: 'metric',
    name: w.name,
    at: new Date(t * 1000).toISOString(),
    value,
    expected: chosen?.expected ?? null,
    lower: chosen?.lower ?? null,
    upper: chosen?.upper ?? null,
    score: Math.max(0, best),
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
