/**
 * Writes testdata/decisions.json: the decisions of the bundled policies over the corpus, which
 * decisions.spec.ts holds every later version of the rules to. Run it only to record a deliberate
 * change of outcome: `npx tsx engine/policy/corpus-record.ts`.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadExposurePlanner } from '../render/rollouts/planner.ts';
import { buildBundle } from './bundle.ts';
import { corpusDecisions } from './corpus.ts';
import { loadEvaluator } from './evaluator.ts';

const bundle = await buildBundle([fileURLToPath(new URL('../../policies', import.meta.url))]);
const evaluator = await loadEvaluator(bundle);
const planner = await loadExposurePlanner(bundle);
const record = corpusDecisions({ decide: (i) => evaluator.evaluate(i), plan: (i) => planner.plan(i) });
const lines = Object.entries(record.decisions).map(
  ([name, row]) => `  ${JSON.stringify(name)}: ${JSON.stringify(row)}`,
);
await writeFile(
  new URL('./testdata/decisions.json', import.meta.url),
  `{"messages": ${JSON.stringify(record.messages, null, 1)},\n"plans": ${JSON.stringify(record.plans)},\n"decisions": {\n${lines.join(',\n')}\n}}\n`,
);
console.log(
  `${Object.keys(record.decisions).length} decisions, ${record.messages.length} messages, ${record.plans.length} plans`,
);
