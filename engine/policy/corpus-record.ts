/**
 * Writes testdata/decisions.json: the decisions of the bundled policies over the corpus, which
 * decisions.spec.ts holds every later version of the rules to. Run it only to record a deliberate
 * change of outcome: `npx tsx engine/policy/corpus-record.ts`.
 */
import { execFileSync } from 'node:child_process';
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
const file = fileURLToPath(new URL('./testdata/decisions.json', import.meta.url));
await writeFile(file, JSON.stringify(record));
// In the repository's JSON style (biome), so that a later record diffs line by line.
execFileSync(fileURLToPath(new URL('../../node_modules/.bin/biome', import.meta.url)), ['format', '--write', file]);
console.log(
  `${Object.keys(record.decisions).length} decisions, ${record.messages.length} messages, ${record.plans.length} plans`,
);
