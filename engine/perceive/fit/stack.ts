/**
 * The risk head as a stack of per-modality heads. Each modality gets its own logistic head, fitted
 * only on the rows where it was observed, and a fusion logistic weighs the modalities' logits; a
 * modality that is missing contributes nothing to it (no evidence either way) rather than reading
 * as "normal". Logs are the modality whole sources lack (NAB has none, Nezha only for one system),
 * so they get a head of their own and are not drowned by the rows without them. Metrics and signals
 * share the `context` head: every incident has its signals, and a missing metric window is a state
 * that head prices (`metric-missing`), fitted together with the signals it goes with.
 *
 * A missing modality's features are all 0, so the stack is exactly one linear head over the
 * feature vector: feature f of modality m weighs w_m·w_mf, m's missing flag weighs −w_m·b_m and the
 * bias is b + Σ w_m·b_m. That flat head is what ships, so attributions stay additive.
 */
import { FEATURES, type Feature, type FeatureVector } from '../perception/features.ts';
import type { Head } from '../perception/model.ts';
import { fitLogistic, type Sample } from './logistic.ts';

export interface Modality {
  name: string;
  features: readonly Feature[];
  /** The feature that is 1 when the modality was not observed (its features are then all 0). */
  missing: Feature | null;
}

const LOG: Modality = { name: 'log', features: ['log-novel-share', 'log-distance'], missing: 'log-missing' };

/** The log head, and the context head over every other feature (in the feature vector's order). */
export const MODALITIES: readonly Modality[] = [
  {
    name: 'context',
    features: FEATURES.filter((f) => f !== LOG.missing && !LOG.features.includes(f)),
    missing: null,
  },
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

const present = (m: Modality, x: FeatureVector) => m.missing === null || x[m.missing] === 0;

const r6 = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * `weigh` balances a set of rows (it is called once per modality's rows and once for all rows).
 * `l2` regularises the modality heads, `fusionL2` the fusion head (three weights on many rows).
 */
export function fitStacked<R extends Row>(
  rows: readonly R[],
  weigh: (rows: readonly R[]) => number[],
  l2: number,
  fusionL2: number,
): Stacked {
  const heads = MODALITIES.map((m) => {
    const own = rows.filter((r) => present(m, r.x));
    const w = weigh(own);
    const samples: Sample[] = own.map((r, i) => ({ x: m.features.map((f) => r.x[f]), y: r.risk, w: w[i] as number }));
    const fitted = fitLogistic(samples, m.features.length, l2);
    return { m, rows: own.length, bias: fitted.bias, weights: fitted.weights };
  });
  const modalityLogit = (h: (typeof heads)[number], x: FeatureVector) =>
    present(h.m, x) ? h.bias + h.m.features.reduce((s, f, i) => s + (h.weights[i] as number) * x[f], 0) : 0;
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
    if (h.m.missing) flat.set(h.m.missing, r6(-wm * h.bias));
    bias += wm * h.bias;
  });
  return {
    head: { bias: r6(bias), weights: Object.fromEntries(FEATURES.map((f) => [f, flat.get(f) ?? 0])) },
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
