/**
 * Fits the perception model: the risk head (per-modality heads stacked by a fusion head, see
 * ./stack.ts) on the `fit` split, Platt recalibration on the
 * `calibrate` split, bootstrap replicas of the risk head, and the cause head; then measures
 * calibration on the `test` split, which neither step saw. Each source (Nezha, NAB, synthetic)
 * weighs the same in total. Deterministic for the same data.
 */
import { FEATURES, type Feature, type FeatureVector } from '../perception/features.ts';
import {
  type Head,
  logit,
  PerceptionModel as ModelSchema,
  type PerceptionModel,
  sigmoid,
} from '../perception/model.ts';
import { brier, ece, type Prediction, reliability } from './calibration.ts';
import type { Labelled, Source } from './datasets.ts';
import { fitLogistic, rng, type Sample } from './logistic.ts';
import { type Split, splitOf } from './split.ts';
import { fitStacked } from './stack.ts';

export interface FitOptions {
  version: string;
  l2: number;
  /** L2 on the fusion head's per-modality weights. */
  fusionL2: number;
  bootstrap: number;
  seed: number;
}

export const FIT_DEFAULTS: FitOptions = {
  version: 'perception-v4',
  l2: 1,
  fusionL2: 0.01,
  bootstrap: 30,
  seed: 13,
};

const SOURCES: Source[] = ['nezha', 'nab', 'synthetic'];
const EFFECTIVE = 3000;

/**
 * The cause head reads only what bears on "did the release do it": the logs, whether the image
 * failed, the crash loop itself and the metric anomaly. With a few dozen labelled causes, letting
 * it read every feature would fit the sources' accidents (restart counts, missing windows).
 */
export const CAUSE_FEATURES: readonly Feature[] = [
  'log-novel-share',
  'log-distance',
  'log-missing',
  'flag-crash',
  'flag-image',
  'metric-anomaly',
];

const vec = (x: FeatureVector, names: readonly Feature[] = FEATURES) => names.map((f) => x[f]);

function weighted(
  data: readonly Labelled[],
  label: (d: Labelled) => number | null,
  names: readonly Feature[] = FEATURES,
): Sample[] {
  const counts = new Map<Source, number>();
  for (const d of data) if (label(d) !== null) counts.set(d.source, (counts.get(d.source) ?? 0) + 1);
  const present = SOURCES.filter((s) => (counts.get(s) ?? 0) > 0).length;
  return data.flatMap((d) => {
    const y = label(d);
    if (y === null) return [];
    return [{ x: vec(d.x, names), y, w: EFFECTIVE / present / (counts.get(d.source) as number) }];
  });
}

function head(f: { bias: number; weights: number[] }, names: readonly Feature[] = FEATURES): Head {
  const r = (v: number) => Math.round(v * 1e6) / 1e6;
  return { bias: r(f.bias), weights: Object.fromEntries(names.map((name, i) => [name, r(f.weights[i] as number)])) };
}

export interface CalibrationReport {
  split: Split | 'all';
  source: Source | 'all';
  n: number;
  positives: number;
  brier: number;
  ece: number;
}

export interface FitResult {
  model: PerceptionModel;
  calibration: CalibrationReport[];
  /** Test-split predictions (calibrated risk) for the reliability diagram. */
  test: Prediction[];
  cause: { n: number; brier: number; accuracy: number };
}

export function predictRisk(model: PerceptionModel, x: FeatureVector): number {
  return sigmoid(model.platt.a * logit(model.risk, x).z + model.platt.b);
}

export function fitModel(data: readonly Labelled[], options: FitOptions = FIT_DEFAULTS): FitResult {
  const bySplit = (s: Split) => data.filter((d) => splitOf(d.group) === s);
  const fitData = bySplit('fit');
  const weigh = (rows: readonly Labelled[]) => weighted(rows, (d) => d.risk).map((s) => s.w);
  const stack = (rows: readonly Labelled[]) => fitStacked(rows, weigh, options.l2, options.fusionL2);
  const stacked = stack(fitData);
  const risk = stacked.head;
  const calib = bySplit('calibrate');
  const zs = weighted(calib, (d) => d.risk).map((s, i) => ({ ...s, x: [logit(risk, (calib[i] as Labelled).x).z] }));
  const platt = fitLogistic(zs, 1, 0);
  const draw = rng(options.seed);
  const bootstrap = Array.from(
    { length: options.bootstrap },
    () =>
      stack(Array.from({ length: fitData.length }, () => fitData[Math.floor(draw() * fitData.length)] as Labelled))
        .head,
  );
  const cause = head(
    fitLogistic(
      weighted(fitData, (d) => d.cause, CAUSE_FEATURES),
      CAUSE_FEATURES.length,
      options.l2,
    ),
    CAUSE_FEATURES,
  );
  const provenance: Record<string, unknown> = {
    fittedBy: 'npm run fit:perception',
    sources: Object.fromEntries(SOURCES.map((s) => [s, data.filter((d) => d.source === s).length])),
    splits: Object.fromEntries((['fit', 'calibrate', 'test'] as const).map((s) => [s, bySplit(s).length])),
    l2: options.l2,
    fusionL2: options.fusionL2,
    bootstrap: options.bootstrap,
    modalities: stacked.modalities,
    fusion: stacked.fusion,
  };
  const model = ModelSchema.parse({
    version: options.version,
    features: [...FEATURES],
    risk,
    platt: { a: Math.round((platt.weights[0] as number) * 1e6) / 1e6, b: Math.round(platt.bias * 1e6) / 1e6 },
    bootstrap,
    cause,
    provenance,
  });
  const report = (split: Split | 'all', source: Source | 'all'): CalibrationReport => {
    const rows = data.filter(
      (d) => (split === 'all' || splitOf(d.group) === split) && (source === 'all' || d.source === source),
    );
    const w = weighted(rows, (d) => d.risk);
    const ps: Prediction[] = rows.map((d, i) => ({ p: predictRisk(model, d.x), y: d.risk, w: (w[i] as Sample).w }));
    return {
      split,
      source,
      n: rows.length,
      positives: rows.filter((d) => d.risk === 1).length,
      brier: brier(ps),
      ece: ece(ps),
    };
  };
  const calibration = [
    report('test', 'all'),
    ...SOURCES.map((s) => report('test', s)),
    report('calibrate', 'all'),
    report('fit', 'all'),
  ];
  const testRows = bySplit('test');
  const tw = weighted(testRows, (d) => d.risk);
  const test = testRows.map((d, i) => ({ p: predictRisk(model, d.x), y: d.risk, w: (tw[i] as Sample).w }));
  const causeRows = testRows.filter((d) => d.cause !== null);
  const causePs = causeRows.map((d) => ({ p: sigmoid(logit(cause, d.x).z), y: d.cause as number }));
  model.provenance.calibration = calibration.map((c) => ({ ...c, brier: round4(c.brier), ece: round4(c.ece) }));
  model.provenance.reliability = reliability(test).map((b) => ({
    ...b,
    n: round4(b.n),
    predicted: round4(b.predicted),
    observed: round4(b.observed),
  }));
  return {
    model,
    calibration,
    test,
    cause: {
      n: causeRows.length,
      brier: brier(causePs),
      accuracy: causePs.filter((p) => (p.p >= 0.5 ? 1 : 0) === p.y).length / Math.max(1, causePs.length),
    },
  };
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
