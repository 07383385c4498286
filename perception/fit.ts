/**
 * `npm run fit:perception [-- --out models/perception-v4.json]`: fits the perception model on the
 * Nezha development half, NAB and synthetic scenarios and writes the versioned model file.
 * Reproducible: the same data gives the same file, byte for byte.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { NAB_ROOT, NEZHA_ROOT } from '../engine/perceive/eval/data-root.ts';
import { nabVectors, nezhaMinutes, nezhaVectors, synthetic } from '../engine/perceive/fit/datasets.ts';
import { FIT_DEFAULTS, fitModel } from '../engine/perceive/fit/fit.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'models/perception-v4.json' },
    synthetic: { type: 'string', default: '40' },
  },
});

const started = performance.now();
const data = [
  ...nezhaVectors(await nezhaMinutes(NEZHA_ROOT)),
  ...(await nabVectors(NAB_ROOT)),
  ...synthetic(Number(values.synthetic)),
];
const result = fitModel(data, FIT_DEFAULTS);
await writeFile(values.out as string, `${JSON.stringify(result.model, null, 2)}\n`);
console.log(
  `wrote ${values.out} (${data.length} labelled vectors, ${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
for (const c of result.calibration)
  console.log(
    `${c.split.padEnd(9)} ${c.source.padEnd(9)} n=${String(c.n).padStart(6)} pos=${String(c.positives).padStart(5)} brier=${c.brier.toFixed(4)} ece=${c.ece.toFixed(4)}`,
  );
console.log(
  `cause head (test): n=${result.cause.n} brier=${result.cause.brier.toFixed(4)} accuracy=${result.cause.accuracy.toFixed(3)}`,
);
console.log('risk head:', JSON.stringify(result.model.risk), 'platt:', JSON.stringify(result.model.platt));
console.log('cause head:', JSON.stringify(result.model.cause));
