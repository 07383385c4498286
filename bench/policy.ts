/** Policy decisions per second in-process (opa-wasm) against `opa eval` of the same input and policy. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_POLICIES_DIR } from '../engine/pipeline/assets.ts';
import { makeInput } from '../engine/policy/fixtures.ts';
import { buildBundle, loadEvaluator } from '../engine/policy/index.ts';
import { locateOpa } from '../engine/tools/index.ts';
import { type Figure, timeIt } from './stats.ts';

const EVALS = 20_000;
const OPA_EVALS = 10;

export async function benchPolicy(): Promise<Figure[]> {
  const bundle = await buildBundle([DEFAULT_POLICIES_DIR]);
  const evaluator = await loadEvaluator(bundle);
  const inputs = Array.from({ length: 16 }, (_, i) => makeInput({ incident: { occurrences: i + 1 } }));
  evaluator.evaluate(inputs[0] as (typeof inputs)[number]);
  const wasm = await timeIt(async () => {
    for (let i = 0; i < EVALS; i++) evaluator.evaluate(inputs[i % inputs.length] as (typeof inputs)[number]);
  });
  const wasmRate = EVALS / wasm;

  const dir = await mkdtemp(join(tmpdir(), 'salve-bench-opa-'));
  try {
    const inputFile = join(dir, 'input.json');
    await writeFile(inputFile, JSON.stringify(inputs[0]));
    const opa = locateOpa();
    const run = promisify(execFile);
    const cli = await timeIt(async () => {
      for (let i = 0; i < OPA_EVALS; i++) {
        await run(opa.command, [
          'eval',
          '-d',
          DEFAULT_POLICIES_DIR,
          '-i',
          inputFile,
          '--format',
          'json',
          'data.salve.main.decision',
        ]);
      }
    });
    const cliRate = OPA_EVALS / cli;
    return [
      {
        name: 'policy decisions per second (wasm, in-process)',
        value: wasmRate,
        unit: '/s',
        reference: `${EVALS} evaluations`,
      },
      {
        name: 'policy decisions: wasm / opa eval CLI',
        value: wasmRate / cliRate,
        unit: 'x',
        reference: `opa eval ${cliRate.toFixed(1)}/s (process per decision, as a shell-out would)`,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
