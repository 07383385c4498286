/**
 * The rules decide the corpus (corpus.ts) exactly as recorded in testdata/decisions.json: the
 * same allowed, mode, rules, effects and messages, and the same exposure plans. Rewrites of the
 * rules for speed must not change one of them. A deliberate change to a rule's outcome rewrites the
 * record: `npx tsx engine/policy/corpus-record.ts`, and the diff of the record shows what changed.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExposurePlanner } from '../render/rollouts/planner.ts';
import { buildBundle } from './bundle.ts';
import { type CorpusDecisions, corpusDecisions } from './corpus.ts';
import { loadEvaluator } from './evaluator.ts';

const POLICIES = fileURLToPath(new URL('../../policies', import.meta.url));
const RECORD = new URL('./testdata/decisions.json', import.meta.url);

describe('policy/decisions over the corpus', () => {
  let now: CorpusDecisions;
  let recorded: CorpusDecisions;

  beforeAll(async () => {
    const bundle = await buildBundle([POLICIES]);
    const evaluator = await loadEvaluator(bundle);
    const planner = await loadExposurePlanner(bundle);
    now = corpusDecisions({ decide: (i) => evaluator.evaluate(i), plan: (i) => planner.plan(i) });
    recorded = JSON.parse(await readFile(RECORD, 'utf8')) as CorpusDecisions;
  }, 120_000);

  it('covers every rule of the bundle, each effect it can have, and canary plans', () => {
    const fired = new Set(
      Object.values(recorded.decisions).flatMap(([, , rules]) => rules.map(([id, e]) => `${id} ${e}`)),
    );
    expect(fired.size).toBeGreaterThanOrEqual(68);
    for (const pair of ['exposure.canary allow', 'exposure.plan-differs deny', 'exposure.takeover require-approval']) {
      expect(fired).toContain(pair);
    }
    expect(Object.values(recorded.decisions).filter(([, , , plan]) => plan !== null).length).toBeGreaterThan(20);
  });

  it('decides every corpus input as recorded', () => {
    const expand = (d: CorpusDecisions) =>
      Object.fromEntries(
        Object.entries(d.decisions).map(([name, [allowed, mode, rules, plan]]) => [
          name,
          {
            allowed,
            mode,
            rules: rules.map(([id, effect, m]) => ({ id, effect, message: d.messages[m] })),
            plan: plan === null ? null : d.plans[plan],
          },
        ]),
      );
    expect(Object.keys(now.decisions)).toEqual(Object.keys(recorded.decisions));
    expect(expand(now)).toEqual(expand(recorded));
  });
});
