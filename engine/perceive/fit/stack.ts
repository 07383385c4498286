/**
 * The risk head as a stack of per-modality heads, blind to whether a modality was observed. Logs
 * are the modality whole sources lack (NAB has none, Nezha only for one system), and where they
 * exist in Nezha they exist mostly around faults: a head free to price "logs present" learns the
 * data's accident, and a reviewer then reads "no logs" as a reason for the risk. So:
 *
 * - every telemetry feature enters measured from a reference value (`centers`: its weighted mean
 *   where the modality was observed) and is exactly 0 where it was not; the missing flags have no
 *   weight at all. No data is neither evidence of an incident nor of normality: the other
 *   modalities decide, and an observed window moves the risk by how it differs from a typical one;
 * - the `log` head is fitted only on rows with logs and ships without its intercept (the prior of
 *   rows that have logs), so only log content counts;
 * - the `context` head (signals and metrics) is fitted on all rows; a fusion logistic weighs the
 *   two heads' logits.
 *
 * The stack is exactly one linear head over the centred features, which is what ships (with its
 * centres), so attributions stay additive and a missing modality contributes nothing.
 */
import { FEATURES, type Feature, type FeatureVector, PRESENCE } from '../perception/features.ts';
import type { Head } from '../perception/model.ts';
import { fitLogistic, type Sample } from './logistic.ts';

export interface Modality {
  name: string;
  features: readonly Feature[];
  /** The feature that is 1 when the modality was not observed (its features are then all 0). */
  missing: Feature | null;
}

const MISSING = new Set<Feature>(PRESENCE.map((m) => m.missing));
const LOG: Modality = { name: 'log', features: ['log-novel-share', 'log-distance'], missing: 'log-missing' };

/** The context head over signals and metrics, and the log head. */
export const MODALITIES: readonly Modality[] = [
  { name: 'context', features: FEATURES.filter((f) => !MISSING.has(f) && !LOG.features.includes(f)), missing: null },
  LOG,
];

/** A labelled row (1: needed a change). */
export interface Row {
  x: FeatureVector;
  risk: number;
}

export interface Stacked {
  /** The flat head that ships. */
  head: Head;
  modalities: Array<{ name: string; rows: number; head: Head }>;
  fusion: Head;
}

const r6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** Per telemetry feature, its weighted mean over the rows where its modality was observed. */
function centresOf<R extends Row>(rows: readonly R[], weigh: (rows: readonly R[]) => number[]): Map<Feature, number> {
  const out = new Map<Feature, number>();
  for (const m of PRESENCE) {
    const own = rows.filter((r) => r.x[m.missing] === 0);
    const w = weigh(own);
    const total = w.reduce((s, v) => s + v, 0);
    for (const f of m.features)
      out.set(f, total === 0 ? 0 : r6(own.reduce((s, r, i) => s + (w[i] as number) * r.x[f], 0) / total));
  }
  return out;
}

/**
 * `weigh` balances a set of rows (it is called once per modality's rows and once for all rows).
 * `l2` regularises the modality heads, `fusionL2` the fusion head (two weights on many rows).
 */
export function fitStacked<R extends Row>(
  rows: readonly R[],
  weigh: (rows: readonly R[]) => number[],
  l2: number,
  fusionL2: number,
): Stacked {
  const centres = centresOf(rows, weigh);
  const centred = (x: FeatureVector, f: Feature) => {
    const c = centres.get(f);
    if (c === undefined) return x[f];
    const m = PRESENCE.find((p) => p.features.includes(f)) as (typeof PRESENCE)[number];
    return x[m.missing] === 1 ? 0 : x[f] - c;
  };
  const present = (m: Modality, x: FeatureVector) => m.missing === null || x[m.missing] === 0;
  const heads = MODALITIES.map((m) => {
    const own = rows.filter((r) => present(m, r.x));
    const w = weigh(own);
    const samples: Sample[] = own.map((r, i) => ({
      x: m.features.map((f) => centred(r.x, f)),
      y: r.risk,
      w: w[i] as number,
    }));
    const fitted = fitLogistic(samples, m.features.length, l2);
    // Only the context head keeps its intercept: the others' is the prior of rows that have them.
    return { m, rows: own.length, bias: fitted.bias, weights: fitted.weights, keep: m.missing === null ? 1 : 0 };
  });
  const modalityLogit = (h: (typeof heads)[number], x: FeatureVector) =>
    h.keep * h.bias + h.m.features.reduce((s, f, i) => s + (h.weights[i] as number) * centred(x, f), 0);
  const w = weigh(rows);
  const fusion = fitLogistic(
    rows.map((r, i) => ({ x: heads.map((h) => modalityLogit(h, r.x)), y: r.risk, w: w[i] as number })),
    heads.length,
    fusionL2,
  );
  const flat = new Map<Feature, number>();
  let bias = fusion.bias;
  heads.forEach((h, k) => {
    const wm = fusion.weights[k] as number;
    h.m.features.forEach((f, i) => {
      flat.set(f, r6(wm * (h.weights[i] as number)));
    });
    bias += wm * h.keep * h.bias;
  });
  return {
    head: {
      bias: r6(bias),
      weights: Object.fromEntries(FEATURES.filter((f) => !MISSING.has(f)).map((f) => [f, flat.get(f) ?? 0])),
      centers: Object.fromEntries(centres),
    },
    modalities: heads.map((h) => ({
      name: h.m.name,
      rows: h.rows,
      head: {
        bias: r6(h.bias),
        weights: Object.fromEntries(h.m.features.map((f, i) => [f, r6(h.weights[i] as number)])),
      },
    })),
    fusion: {
      bias: r6(fusion.bias),
      weights: Object.fromEntries(heads.map((h, k) => [h.m.name, r6(fusion.weights[k] as number)])),
    },
  };
}
