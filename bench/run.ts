/** `npm run bench`: every figure as a ratio against a reference measured in the same run. */
import { benchApp } from './app.ts';
import { benchGitWrite } from './git-write.ts';
import { benchPerception } from './perception.ts';
import { benchPlan } from './plan.ts';
import { benchPolicy } from './policy.ts';
import { type Figure, formatFigure } from './stats.ts';

const suites: Array<[string, () => Promise<Figure[]>]> = [
  ['plan', benchPlan],
  ['git write', benchGitWrite],
  ['policy', benchPolicy],
  ['app intake', benchApp],
  ['perception', benchPerception],
];

let failed = 0;
for (const [name, suite] of suites) {
  try {
    for (const figure of await suite()) console.log(formatFigure(figure));
  } catch (err) {
    failed++;
    console.error(`bench ${name} failed: ${(err as Error).stack ?? String(err)}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
