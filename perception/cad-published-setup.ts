/**
 * `node --import tsx perception/cad-published-setup.ts ['[{option overrides}]']`: cad-ose run as
 * the published CAD OSE result was, for checking the implementation against NAB's 69.9 / 67.0 /
 * 73.2: each file's whole value range given up front (it reads the future, so it is not salve's
 * configuration) and a rest period of 3% of the file (at most 150 points). Prints the three scores.
 */

import { cadOse, DEFAULTS } from '../engine/perceive/detectors/cad-ose/index.ts';
import { NAB_ROOT } from '../engine/perceive/eval/data-root.ts';
import { loadCorpus } from '../engine/perceive/eval/nab/corpus.ts';
import { scoreCorpus } from '../engine/perceive/eval/nab/evaluate.ts';

const corpus = await loadCorpus(NAB_ROOT);
const variants = JSON.parse(process.argv[2] ?? '[{}]') as Array<Record<string, number>>;
for (const v of variants) {
  const scores = new Map<string, Float64Array>();
  for (const s of corpus) {
    let lo = Infinity,
      hi = -Infinity;
    for (const x of s.values) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    const rest = v.rest ?? Math.max(Math.min(150, Math.round(s.values.length * 0.03)), 1);
    const d = cadOse.restore({
      detector: 'cad-ose',
      version: 1,
      state: {
        options: { ...DEFAULTS, restartMargin: 0, ...v, learn: 1, rest },
        n: 0,
        lo,
        hi,
        left: [],
        quiet: 0,
        contexts: [],
        zero: [],
      },
    });
    const out = new Float64Array(s.values.length);
    for (let i = 0; i < s.values.length; i++)
      out[i] = d.update({ t: s.times[i] as number, value: s.values[i] as number });
    scores.set(s.name, out);
  }
  const r = scoreCorpus(corpus, scores);
  console.log(
    JSON.stringify(v),
    r.map((x) => x.normalised.toFixed(2)).join(' / '),
    `${r[0]?.detected} fp ${r[0]?.falsePositives}`,
  );
}
