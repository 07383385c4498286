/** Calibration measures: Brier score, expected calibration error, and reliability bins. */
export interface Prediction {
  p: number;
  y: number;
  w?: number;
}

export interface Bin {
  lo: number;
  hi: number;
  /** Weighted count, mean predicted probability, observed frequency. */
  n: number;
  predicted: number;
  observed: number;
}

export function brier(ps: readonly Prediction[]): number {
  let s = 0;
  let w = 0;
  for (const { p, y, w: wi = 1 } of ps) {
    s += wi * (p - y) ** 2;
    w += wi;
  }
  return w === 0 ? 0 : s / w;
}

/** Equal-width bins over [0, 1]. */
export function reliability(ps: readonly Prediction[], bins = 10): Bin[] {
  const out: Bin[] = Array.from({ length: bins }, (_, i) => ({
    lo: i / bins,
    hi: (i + 1) / bins,
    n: 0,
    predicted: 0,
    observed: 0,
  }));
  for (const { p, y, w = 1 } of ps) {
    const b = out[Math.min(bins - 1, Math.floor(p * bins))] as Bin;
    b.n += w;
    b.predicted += w * p;
    b.observed += w * y;
  }
  return out.map((b) => (b.n > 0 ? { ...b, predicted: b.predicted / b.n, observed: b.observed / b.n } : b));
}

/** ECE: the bin-weighted mean gap between predicted and observed frequency. */
export function ece(ps: readonly Prediction[], bins = 10): number {
  const rel = reliability(ps, bins);
  const total = rel.reduce((s, b) => s + b.n, 0);
  return total === 0 ? 0 : rel.reduce((s, b) => s + (b.n / total) * Math.abs(b.predicted - b.observed), 0);
}
