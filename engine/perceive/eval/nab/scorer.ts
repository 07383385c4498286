/**
 * The NAB v1.1 scoring rules, written from NAB's documentation (Lavin & Ahmad 2015; Ahmad et al.
 * 2017):
 *
 * - The first min(⌊0.15·N⌋, 750) rows of a series are probationary and never scored.
 * - Inside a window of width w ending at row R, a detection at row i is worth
 *   tp · σs(−(R − i + 1)/w) / σs(−1), with σs(x) = 2/(1 + e^(5x)) − 1: an early detection earns
 *   about tp, a late one close to 0. Only the window's best (earliest) detection counts; a window
 *   with none costs −fn.
 * - A detection outside every window costs fp · σs(d) (negative), d = rows past the preceding
 *   window's right edge / (its width − 1); σs is −1 past d = 3 and when no window precedes.
 * - A detection is a row whose anomaly score is at least the threshold; one threshold per detector
 *   and profile, the one that maximises the summed raw score over the corpus.
 * - Normalised = 100 · (raw − null) / (perfect − null): null detects nothing (−fn per window),
 *   perfect detects every window at its first row (+tp per window).
 */
import type { Window } from './corpus.ts';
import type { CostProfile } from './profiles.ts';

export function probationaryLength(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 0.15 * 5000);
}

const scaledSigmoid = (x: number) => (x > 3 ? -1 : 2 / (1 + Math.exp(5 * x)) - 1);
const MAX_TP = scaledSigmoid(-1);

/** What each row would be worth if detected, and which window it is in (−1: none). */
export interface RowWeights {
  weight: Float64Array;
  window: Int32Array;
  /** Rows before this index are probationary. */
  probation: number;
  /** Windows with at least one scored row. */
  scoredWindows: number[];
}

export function rowWeights(rows: number, windows: readonly Window[], cost: CostProfile): RowWeights {
  const weight = new Float64Array(rows);
  const window = new Int32Array(rows).fill(-1);
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  let next = 0;
  let prev: Window | null = null;
  for (let i = 0; i < rows; i++) {
    const w = sorted[next];
    if (w && i >= w.start && i <= w.end) {
      const width = w.end - w.start + 1;
      weight[i] = (scaledSigmoid(-(w.end - i + 1) / width) * cost.tpWeight) / MAX_TP;
      window[i] = next;
      if (i === w.end) {
        prev = w;
        next++;
      }
    } else if (prev === null) {
      weight[i] = -cost.fpWeight;
    } else {
      const width = prev.end - prev.start + 1;
      weight[i] = scaledSigmoid(Math.abs(i - prev.end) / (width - 1)) * cost.fpWeight;
    }
  }
  const probation = probationaryLength(rows);
  const scoredWindows = sorted.flatMap((w, k) => (w.end >= probation ? [k] : []));
  return { weight, window, probation, scoredWindows };
}

export interface FileScore {
  score: number;
  /** Detected windows, missed windows, detections outside windows (rows). */
  detected: number;
  missed: number;
  falsePositives: number;
}

/** A series' raw score at one threshold. */
export function scoreAt(
  scores: ArrayLike<number>,
  weights: RowWeights,
  threshold: number,
  cost: CostProfile,
): FileScore {
  const best = new Map<number, number>();
  let fp = 0;
  let falsePositives = 0;
  for (let i = Math.ceil(weights.probation); i < scores.length; i++) {
    if ((scores[i] as number) < threshold) continue;
    const w = weights.window[i] as number;
    const v = weights.weight[i] as number;
    if (w < 0) {
      fp += v;
      falsePositives++;
    } else if (!best.has(w) || v > (best.get(w) as number)) best.set(w, v);
  }
  let score = fp;
  let detected = 0;
  for (const w of weights.scoredWindows) {
    const b = best.get(w);
    if (b === undefined) score -= cost.fnWeight;
    else {
      score += b;
      detected++;
    }
  }
  return { score, detected, missed: weights.scoredWindows.length - detected, falsePositives };
}

export interface Scored {
  scores: ArrayLike<number>;
  weights: RowWeights;
}

/**
 * The threshold that maximises the summed raw score over every series (NAB's sweep), found in one
 * pass over all rows sorted by anomaly score, ties taken together.
 */
export function optimiseThreshold(files: readonly Scored[], cost: CostProfile): { threshold: number; score: number } {
  let n = 0;
  for (const f of files) n += Math.max(0, f.scores.length - Math.ceil(f.weights.probation));
  const score = new Float64Array(n);
  const file = new Int32Array(n);
  const row = new Int32Array(n);
  let k = 0;
  let total = 0;
  const offsets: number[] = [];
  let windowCount = 0;
  files.forEach((f, fi) => {
    offsets.push(windowCount);
    windowCount += f.weights.window.reduce((m, w) => Math.max(m, w + 1), 0);
    total -= f.weights.scoredWindows.length * cost.fnWeight;
    for (let i = Math.ceil(f.weights.probation); i < f.scores.length; i++) {
      score[k] = f.scores[i] as number;
      file[k] = fi;
      row[k++] = i;
    }
  });
  const order = new Uint32Array(n).map((_, i) => i);
  order.sort((a, b) => (score[b] as number) - (score[a] as number));
  const best = new Float64Array(windowCount).fill(Number.NaN);
  let bestTotal = total;
  let bestThreshold = Number.POSITIVE_INFINITY;
  for (let j = 0; j < n; ) {
    const t = score[order[j] as number] as number;
    for (; j < n && score[order[j] as number] === t; j++) {
      const idx = order[j] as number;
      const f = files[file[idx] as number] as Scored;
      const r = row[idx] as number;
      const w = f.weights.window[r] as number;
      const v = f.weights.weight[r] as number;
      if (w < 0) total += v;
      else {
        const key = (offsets[file[idx] as number] as number) + w;
        const prev = best[key] as number;
        if (Number.isNaN(prev)) {
          total += v + cost.fnWeight;
          best[key] = v;
        } else if (v > prev) {
          total += v - prev;
          best[key] = v;
        }
      }
    }
    if (total > bestTotal) {
      bestTotal = total;
      bestThreshold = t;
    }
  }
  return { threshold: bestThreshold, score: bestTotal };
}

/** 100 · (raw − null) / (perfect − null) over `windows` labelled windows. */
export function normalise(raw: number, windows: number, cost: CostProfile): number {
  const nullScore = -cost.fnWeight * windows;
  const perfect = cost.tpWeight * windows;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}
