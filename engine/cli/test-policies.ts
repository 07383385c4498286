/** `salve test-policies`: opa test with coverage over salve's policies and a config repo's own. */
import { resolve } from 'node:path';
import { DEFAULT_POLICIES_DIR } from '../pipeline/assets.ts';
import { runPolicyTests } from '../policy/index.ts';
import { parse } from './args.ts';

export async function testPoliciesCommand(args: string[], _env: NodeJS.ProcessEnv): Promise<number> {
  const values = parse('test-policies', args, {
    policies: { type: 'string', multiple: true },
    threshold: { type: 'string', default: '90' },
  });
  const dirs = [DEFAULT_POLICIES_DIR, ...(values.policies ?? []).map((p) => resolve(p))];
  const threshold = Number(values.threshold);
  const result = await runPolicyTests(dirs, { threshold });
  for (const f of result.failures) process.stdout.write(`FAIL ${f.file}: ${f.test}: ${f.message}\n`);
  process.stdout.write(
    `policy tests: ${result.passed} passed, ${result.failed} failed; coverage ${result.coverage.toFixed(1)}% (threshold ${threshold}%)\n`,
  );
  return result.failed === 0 && result.coverage >= threshold ? 0 : 1;
}
