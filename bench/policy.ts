/**
 * Policy decisions per second in-process (opa-wasm, as salve evaluates them) against OPA's own
 * Go evaluator benchmarking the same decision (`opa bench`) on the Rego and data of the same
 * bundle, with the same input.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_POLICIES_DIR } from '../engine/pipeline/assets.ts';
import { makeInput } from '../engine/policy/fixtures.ts';
import { buildBundle, loadEvaluator, type PolicyEvaluator } from '../engine/policy/index.ts';
import { collectSources } from '../engine/policy/sources.ts';
import { locateOpa } from '../engine/tools/index.ts';
import { runProcess } from './process.ts';
import { type Figure, interleave, median, rounds } from './stats.ts';

type Input = Parameters<PolicyEvaluator['evaluate']>[0];

interface Rate {
  /** Decisions per second of elapsed time. */
  wall: number;
  /** Decisions per second of this process's CPU time: what one core does, whatever else the machine runs. */
  cpu: number;
}

/** Decisions per second over about `budget` seconds of back-to-back evaluations. */
function wasmRate(evaluator: PolicyEvaluator, input: Input, budget = 1): Rate {
  let count = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < budget * 1000) {
    for (let i = 0; i < 500; i++) evaluator.evaluate(input);
    count += 500;
    elapsed = performance.now() - start;
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: count / (elapsed / 1000), cpu: count / ((cpu.user + cpu.system) / 1e6) };
}

/**
 * The sources the bundle was compiled from (its digest covers exactly these): what `opa bench`
 * evaluates natively. The Rego inside a wasm bundle is only what the wasm planner left over.
 */
async function writeSources(policyDirs: string[], dir: string): Promise<void> {
  for (const s of await collectSources(policyDirs)) {
    const to = join(dir, String(s.dirIndex), s.relPath);
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, s.content);
  }
}

/** A policy that reads the input and decides at once: what evaluation costs without any rule. */
const FLOOR_POLICY = `package salve.main

decision := {"allowed": true, "mode": "observe", "rules": []} if input.version
`;

export async function benchPolicy(): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'salve-bench-opa-'));
  try {
    const bundle = await buildBundle([DEFAULT_POLICIES_DIR]);
    const src = join(dir, 'bundle');
    await writeSources([DEFAULT_POLICIES_DIR], src);
    const evaluator = await loadEvaluator(bundle);
    const input = makeInput({});
    const inputFile = join(dir, 'input.json');
    await writeFile(inputFile, JSON.stringify(input));
    const expected = evaluator.evaluate(input);
    wasmRate(evaluator, input, 0.5);

    const opa = locateOpa();
    const opaRate = async () => {
      const run = await runProcess(opa.command, [
        ...opa.prefix,
        'bench',
        '-d',
        src,
        '-i',
        inputFile,
        '--format',
        'json',
        '--benchmem=false',
        '--metrics=false',
        'data.salve.main.decision',
      ]);
      if (run.code !== 0) throw new Error(`opa bench failed: ${run.stdout}${run.stderr}`);
      const { N, T } = JSON.parse(run.stdout) as { N: number; T: number };
      return N / (T / 1e9);
    };
    const n = rounds();
    const runs = await interleave<Rate>(
      n,
      async () => wasmRate(evaluator, input),
      async () => {
        const r = await opaRate();
        return { wall: r, cpu: r };
      },
    );
    const wasm = median(runs.a.map((r) => r.wall));
    const wasmCpu = median(runs.a.map((r) => r.cpu));
    const native = median(runs.b.map((r) => r.wall));
    // The floor of in-process evaluation: the same evaluator (input checked, sent to wasm and
    // parsed there, decision read back and checked) around a policy that decides in one line.
    const floorDir = join(dir, 'floor');
    await mkdir(floorDir);
    await writeFile(join(floorDir, 'main.rego'), FLOOR_POLICY);
    const floor = await loadEvaluator(await buildBundle([floorDir]));
    floor.evaluate(input);
    const floorRuns = await interleave(
      n,
      async () => wasmRate(evaluator, input),
      async () => wasmRate(floor, input),
    );
    const floorRate = median(floorRuns.b.map((r) => r.wall));
    const rulesRate = median(floorRuns.a.map((r) => r.wall));
    const floorCpu = median(floorRuns.b.map((r) => r.cpu));
    const rulesCpu = median(floorRuns.a.map((r) => r.cpu));
    if (JSON.stringify(evaluator.evaluate(input)) !== JSON.stringify(expected)) throw new Error('decision changed');
    if (bundle.sources.length === 0) throw new Error('empty bundle');
    const rate = (r: number) => `${Math.round(r).toLocaleString('en')}/s`;
    return [
      {
        name: 'policy decisions/s, in-process wasm',
        value: wasm,
        unit: '/s',
        reference: `opa bench (Go evaluator, the bundle's sources, same input) ${rate(native)}: ${(wasm / native).toFixed(1)}x; per second of CPU time ${rate(wasmCpu)}; medians of ${n} pairs`,
        goal: '>= 50,000/s',
        met: wasm >= 50_000,
      },
      {
        name: 'policy decision time / evaluator floor',
        value: floorRate / rulesRate,
        unit: 'x',
        reference: `the same evaluator and input around a one-line policy: ${rate(floorRate)} vs ${rate(rulesRate)} (per second of CPU time ${rate(floorCpu)} vs ${rate(rulesCpu)}: ${(floorCpu / rulesCpu).toFixed(2)}x); medians of ${n} pairs`,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
