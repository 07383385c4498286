/**
 * The perception evaluation `npm run eval:perception` prints: NAB (scorer check, then salve's
 * detectors), Nezha detection per fault type (logs, metrics, fused; held-apart faults), calibration
 * of the shipped model on held-apart data with a reliability diagram, and speed.
 */
import { brier, ece, type Prediction, reliability } from '../fit/calibration.ts';
import { type Labelled, minuteGroup, minuteVector, nabVectors, nezhaVectors, synthetic } from '../fit/datasets.ts';
import { predictRisk } from '../fit/fit.ts';
import { fitLogistic, predict } from '../fit/logistic.ts';
import { reliabilitySvg } from '../fit/reliability-svg.ts';
import { splitOf } from '../fit/split.ts';
import type { FeatureVector } from '../perception/features.ts';
import type { PerceptionModel } from '../perception/model.ts';
import { loadCorpus, type Series } from './nab/corpus.ts';
import { NAB_DETECTORS } from './nab/detectors.ts';
import { type ProfileResult, runDetector, scoreCorpus } from './nab/evaluate.ts';
import { PROFILES } from './nab/profiles.ts';
import { readPublishedScores } from './nab/published.ts';
import { type Detection, detection } from './nezha/evaluate.ts';
import type { Minute } from './nezha/minutes.ts';

export interface NabRow {
  detector: string;
  results: ProfileResult[];
  seconds: number;
}

export async function evaluateNab(root: string, only?: (name: string) => boolean, detectors = NAB_DETECTORS) {
  const corpus = await loadCorpus(root, only);
  const published = new Map<string, Float64Array>();
  for (const s of corpus) published.set(s.name, await readPublishedScores(root, 'windowedGaussian', s.name));
  const rows: NabRow[] = [
    {
      detector: 'windowedGaussian (published rows, threshold 1.0 as published)',
      results: scoreCorpus(corpus, published, PROFILES, 1),
      seconds: 0,
    },
    {
      detector: 'windowedGaussian (published rows, threshold swept here)',
      results: scoreCorpus(corpus, published),
      seconds: 0,
    },
  ];
  for (const [name, create] of Object.entries(detectors)) {
    const started = performance.now();
    const scores = runDetector(corpus, create);
    const results = scoreCorpus(corpus, scores);
    rows.push({ detector: name, results, seconds: (performance.now() - started) / 1000 });
  }
  return { corpus: corpus as Series[], rows, points: corpus.reduce((n, s) => n + s.values.length, 0) };
}

type Scorer = (x: FeatureVector) => number;

/** The threshold on the fit split's minutes that maximises F1 (a calibrated sweep, no test data). */
function bestThreshold(minutes: readonly Minute[], score: Scorer): number {
  const rows = minutes
    .filter((m) => m.label !== null && splitOf(minuteGroup(m)) === 'fit')
    .map((m) => ({ p: score(minuteVector(m)), y: m.label as number }))
    .sort((a, b) => b.p - a.p);
  const positives = rows.filter((r) => r.y === 1).length;
  let tp = 0;
  let fp = 0;
  let best = { f1: -1, t: 1 };
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as { p: number; y: number };
    if (r.y === 1) tp++;
    else fp++;
    if (i + 1 < rows.length && (rows[i + 1] as { p: number }).p === r.p) continue;
    const f1 = (2 * tp) / (2 * tp + fp + (positives - tp));
    if (f1 > best.f1) best = { f1, t: r.p };
  }
  return best.t;
}

/** A logistic over `features`, fitted (and alarming) only where `observed` (all minutes by default). */
function modalityScorer(
  minutes: readonly Minute[],
  features: Array<keyof FeatureVector>,
  observed: (x: FeatureVector) => boolean = () => true,
): Scorer {
  const samples = minutes
    .filter((m) => m.label !== null && splitOf(minuteGroup(m)) === 'fit' && observed(minuteVector(m)))
    .map((m) => {
      const x = minuteVector(m);
      return { x: features.map((f) => x[f]), y: m.label as number, w: 1 };
    });
  const fitted = fitLogistic(samples, features.length, 1);
  return (x) =>
    observed(x)
      ? predict(
          fitted,
          features.map((f) => x[f]),
        )
      : 0;
}

export interface NezhaRow {
  modality: string;
  threshold: number;
  heldApart: Detection;
  all: Detection;
}

export function evaluateNezha(minutes: readonly Minute[], model: PerceptionModel): NezhaRow[] {
  const scorers: Array<[string, Scorer]> = [
    ['metrics', modalityScorer(minutes, ['metric-anomaly', 'metric-missing'])],
    ['logs', modalityScorer(minutes, ['log-novel-share', 'log-distance', 'log-missing'])],
    // The same without the presence flag: in Nezha, logs exist mostly around faults.
    ['logs (content only)', modalityScorer(minutes, ['log-novel-share', 'log-distance'])],
    // Content fitted only where logs exist, nothing where they do not: what logs say, not that they exist.
    [
      'logs (content, where observed)',
      modalityScorer(minutes, ['log-novel-share', 'log-distance'], (x) => x['log-missing'] === 0),
    ],
    ['fused (shipped model)', (x) => predictRisk(model, x)],
  ];
  return scorers.map(([modality, score]) => {
    const threshold = bestThreshold(minutes, score);
    const alarm = (m: Minute) => score(minuteVector(m)) >= threshold;
    return {
      modality,
      threshold,
      heldApart: detection(minutes, alarm, (g) => splitOf(g) !== 'fit', minuteGroup),
      all: detection(minutes, alarm, () => true, minuteGroup),
    };
  });
}

export interface CalibrationRow {
  source: string;
  n: number;
  positives: number;
  brier: number;
  ece: number;
}

/** The shipped model on the test split (groups neither the fit nor the recalibration saw). */
export function evaluateCalibration(data: readonly Labelled[], model: PerceptionModel) {
  const test = data.filter((d) => splitOf(d.group) === 'test');
  const sources = [...new Set(test.map((d) => d.source))];
  const counts = new Map<string, number>();
  for (const d of test) counts.set(d.source, (counts.get(d.source) ?? 0) + 1);
  const weight = (d: Labelled) => 1 / sources.length / (counts.get(d.source) as number);
  const preds = (rows: readonly Labelled[]): Prediction[] =>
    rows.map((d) => ({ p: predictRisk(model, d.x), y: d.risk, w: weight(d) }));
  const row = (source: string, rows: readonly Labelled[]): CalibrationRow => {
    const ps = preds(rows);
    return {
      source,
      n: rows.length,
      positives: rows.filter((r) => r.risk === 1).length,
      brier: brier(ps),
      ece: ece(ps),
    };
  };
  const all = preds(test);
  const rows = [
    row('all (sources weighted equally)', test),
    ...sources.map((s) =>
      row(
        s,
        test.filter((d) => d.source === s),
      ),
    ),
  ];
  const bins = reliability(all);
  const svg = reliabilitySvg(
    `${model.version}: reliability on held-apart data`,
    bins,
    `n=${test.length}  Brier ${(rows[0] as CalibrationRow).brier.toFixed(4)}  ECE ${(rows[0] as CalibrationRow).ece.toFixed(4)}`,
  );
  return { rows, bins, svg };
}

export { nabVectors, nezhaVectors, synthetic };
