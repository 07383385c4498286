/**
 * `npm run bench`: every figure of the performance table as a ratio against its reference,
 * measured in the same run, interleaved, medians of at least 7 pairs. `BENCH_ONLY=cold,policy`
 * runs some suites; `BENCH_ROUNDS` raises the number of pairs.
 */
import { benchApp } from './app.ts';
import { benchCold } from './cold.ts';
import { benchGitWrite } from './git-write.ts';
import { benchPerception } from './perception.ts';
import { benchPolicy } from './policy.ts';
import { benchScale } from './scale.ts';
import { type Figure, formatFigure } from './stats.ts';
import { benchWarm } from './warm.ts';

const suites: Array<[string, () => Promise<Figure[]>]> = [
  ['cold', benchCold],
  ['warm', benchWarm],
  ['policy', benchPolicy],
  ['scale', benchScale],
  ['intake', benchApp],
  ['git', benchGitWrite],
  ['perception', benchPerception],
];

const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
let failed = 0;
let missed = 0;
for (const [name, suite] of suites) {
  if (only && !only.includes(name)) continue;
  try {
    for (const figure of await suite()) {
      if (figure.met === false) missed++;
      console.log(formatFigure(figure));
    }
  } catch (err) {
    failed++;
    console.error(`bench ${name} failed: ${(err as Error).stack ?? String(err)}`);
  }
}
console.log(`\n${failed} suite(s) failed, ${missed} goal(s) not met`);
process.exitCode = failed === 0 ? 0 : 1;
