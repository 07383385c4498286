/**
 * `npm run corpus [-- --testbeds <dir>] [--only <name>]... [--overlay <testbed>:<root>]... [--jobs N] [--keep]`:
 * salve over every deployable overlay of every test bed; exits 1 on any violation.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { InputError } from '../model/errors.ts';
import { createLogger } from '../telemetry/logger.ts';
import { DEFAULT_TESTBEDS } from './paths.ts';
import { formatReport, violationsOf } from './report.ts';
import { runCorpus } from './run.ts';
import { readTestbeds } from './testbeds.ts';

function overlaysOf(values: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const colon = v.indexOf(':');
    if (colon < 1) throw new InputError(`--overlay ${v}: expected <testbed>:<root>`);
    const name = v.slice(0, colon);
    out[name] = [...(out[name] ?? []), v.slice(colon + 1)];
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      testbeds: { type: 'string' },
      only: { type: 'string', multiple: true },
      overlay: { type: 'string', multiple: true },
      jobs: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'warn' },
    },
  });
  const overlays = overlaysOf(values.overlay ?? []);
  const only = [...new Set([...(values.only ?? []), ...Object.keys(overlays)])];
  const testbeds = await readTestbeds(values.testbeds ?? DEFAULT_TESTBEDS, only);
  const jobs = Number(values.jobs ?? availableParallelism());
  if (!Number.isInteger(jobs) || jobs < 1) throw new InputError(`--jobs ${values.jobs}: expected a positive integer`);
  const log = createLogger({ level: values['log-level'] ?? 'warn', name: 'salve-corpus' });
  let done = 0;
  const result = await runCorpus({
    testbeds,
    overlays,
    concurrency: jobs,
    log,
    keep: values.keep ?? false,
    onResult: (r) => {
      done++;
      const bad = 'checks' in r ? r.checks.filter((k) => !k.ok).map((k) => k.invariant) : [];
      const what = 'checks' in r ? (bad.length ? `VIOLATES ${bad.join(',')}` : 'ok') : 'skip';
      process.stderr.write(
        `${String(done).padStart(5)} ${r.testbed} ${r.overlay} ${r.workload} ${r.action}: ${what}\n`,
      );
    },
  });
  process.stdout.write(formatReport(result));
  return violationsOf(result).length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`salve corpus: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err instanceof InputError ? 2 : 1;
  },
);
