/** `salve test-policies`: opa test with coverage over salve's policies and a config repo's own. */
import { resolve } from 'node:path';
import { InputError } from '../model/errors.ts';
import { DEFAULT_POLICIES_DIR } from '../pipeline/assets.ts';
import { runPolicyTests } from '../policy/index.ts';
import { parse } from './args.ts';
import { type Env, TEST_POLICIES_OPTIONS } from './commands.ts';

export async function testPoliciesCommand(args: string[], _env: Env): Promise<number> {
  const values = parse('test-policies', args, TEST_POLICIES_OPTIONS);
  const dirs = [DEFAULT_POLICIES_DIR, ...(values.policies ?? []).map((p) => resolve(p))];
  const threshold = Number(values.threshold);
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 100)
    throw new InputError(`--threshold must be a percentage between 0 and 100 (see 'salve test-policies --help')`);
  const result = await runPolicyTests(dirs, { threshold });
  for (const f of result.failures) process.stdout.write(`FAIL ${f.file}: ${f.test}: ${f.message}\n`);
  process.stdout.write(
    `policy tests: ${result.passed} passed, ${result.failed} failed; coverage ${result.coverage.toFixed(1)}% (threshold ${threshold}%)\n`,
  );
  return result.failed === 0 && result.coverage >= threshold ? 0 : 1;
}
