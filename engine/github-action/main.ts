/** The Action's entry point (bundled to dist/index.js): a thin shell around `runAction`. */
import * as core from '@actions/core';
import { SalveError } from '../model/errors.ts';
import { failureMessage, runAction } from './run.ts';

try {
  const result = await runAction(process.env);
  if (!result.ok) {
    process.exitCode = 1;
    core.setFailed(failureMessage(result));
  }
} catch (err) {
  process.exitCode = 1;
  core.setFailed(err instanceof SalveError || err instanceof Error ? err.message : String(err));
}
