/**
 * Perception speed: the whole NAB corpus through salve's stream detector and scored under the
 * three profiles (target: under 10 s), and one incident's perception (target: under 50 ms), each
 * with its ratio to the target and to a plain pass over the same points measured in this run.
 */

import { streamEnsemble } from '../engine/perceive/detectors/stream-ensemble/index.ts';
import { NAB_ROOT } from '../engine/perceive/eval/data-root.ts';
import { loadCorpus } from '../engine/perceive/eval/nab/corpus.ts';
import { runDetector, scoreCorpus } from '../engine/perceive/eval/nab/evaluate.ts';
import { timeIncident } from '../engine/perceive/eval/speed.ts';
import { type Figure, ratio, seconds, timeIt } from './stats.ts';

export async function benchPerception(): Promise<Figure[]> {
  const corpus = await loadCorpus(NAB_ROOT);
  const points = corpus.reduce((n, s) => n + s.values.length, 0);
  let sink = 0;
  const plain = await timeIt(async () => {
    for (const s of corpus)
      for (let i = 0; i < s.values.length; i++) sink += Math.abs((s.values[i] as number) - sink) * 1e-12;
  });
  const nab = await timeIt(async () => {
    scoreCorpus(
      corpus,
      runDetector(corpus, () => streamEnsemble.create()),
    );
  });
  const incident = timeIncident(21) / 1000;
  return [
    ratio('NAB corpus: detect + score, vs 10 s target', nab, 10, `${seconds(nab)} for ${points} points`),
    ratio(
      'NAB corpus: detect + score, vs a plain pass',
      nab,
      Math.max(plain, 1e-6),
      `plain pass ${seconds(plain)}${sink < 0 ? '' : ''}`,
    ),
    ratio('one incident perception, vs 50 ms target', incident, 0.05, `${seconds(incident)} median of 21`),
  ];
}
