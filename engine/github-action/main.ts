/** The Action's entry point (bundled to dist/index.js): a thin shell around `runAction`. */
import * as core from '@actions/core';
import { SalveError } from '../model/errors.ts';
import { runAction } from './run.ts';

try {
  const result = await runAction(process.env);
  if (!result.ok) {
    process.exitCode = 1;
    core.setFailed(
      `salve: ${result.checked - result.verified} of ${result.checked} remediation(s) failed verification or the policy tests failed; see the annotations and the job summary`,
    );
  }
} catch (err) {
  process.exitCode = 1;
  core.setFailed(err instanceof SalveError || err instanceof Error ? err.message : String(err));
}
