/**
 * The GitHub Action: `opa test` with coverage on the config repo's policies, then the pull request
 * verified against its base commit (engine/verify/change.ts, as `salve verify` does it). Everything
 * it needs comes from `env`.
 */
import { join } from 'node:path';
import { counted } from '../model/words.ts';
import { REMEDIATIONS_DIR } from '../publish/read.ts';
import { loadConfig } from '../repo/index.ts';
import { verifyChange } from '../verify/change.ts';
import { resolveCommit } from '../verify/history.ts';
import type { Verdict } from '../verify/index.ts';
import type { ScopeProblem } from '../verify/scope.ts';
import { type ActionEnv, readInputs, readPullRequest } from './inputs.ts';
import { testPolicies } from './policy-tests.ts';
import { emitAnnotations, renderSummary, setOutputs, writeSummary } from './report.ts';
import type { ActionResult, Annotation } from './types.ts';

export async function runAction(env: ActionEnv): Promise<ActionResult> {
  const inputs = readInputs(env);
  const annotations: Annotation[] = [];
  const notes: string[] = [];
  let policyTests: ActionResult['policyTests'] = null;
  let policiesOk = true;
  if (inputs.testPolicies) {
    const { config } = await loadConfig(inputs.workspace);
    const own = (inputs.policies ?? config.policies).map((p) => join(inputs.workspace, p));
    const tested = await testPolicies(inputs.workspace, own, inputs.coverageThreshold, env);
    policyTests = tested.report;
    policiesOk = tested.report.ok;
    annotations.push(...tested.annotations);
  }

  let verdicts: Verdict[] = [];
  let scope: ScopeProblem[] = [];
  const pr = inputs.verify ? await readPullRequest(env) : null;
  if (!inputs.verify) notes.push('Remediation verification is off (input verify-remediations: false).');
  else if (!pr) notes.push('Not a pull_request event: no remediations to verify.');
  else {
    const hint = 'check out with fetch-depth: 0 so base and head both exist';
    const [base, head] = await Promise.all([
      resolveCommit(inputs.workspace, pr.baseSha, hint),
      resolveCommit(inputs.workspace, pr.headSha, hint),
    ]);
    ({ verdicts, scope } = await verifyChange({
      dir: inputs.workspace,
      base,
      head,
      trust: {
        policies: inputs.policies,
        keyPems: inputs.trustedKeyPems,
        keyFiles: inputs.trustedKeyFiles,
        keyFilesFrom: 'input trusted-keys',
      },
      cacheDir: join(inputs.workspace, '.git', 'salve', 'bundles'),
    }));
    if (verdicts.length === 0)
      notes.push(`No file under ${REMEDIATIONS_DIR}/ changed: not a remediation pull request.`);
  }
  for (const v of verdicts) {
    for (const e of v.errors)
      annotations.push({
        level: 'error',
        file: e.file,
        title: `salve: remediation ${v.id} failed verification`,
        message: e.reason,
      });
  }
  for (const p of scope)
    annotations.push({
      level: 'error',
      file: p.file,
      title: 'salve: change outside the signed remediations',
      message: p.reason,
    });

  const verified = verdicts.filter((v) => v.ok).length;
  const ok = policiesOk && verified === verdicts.length && scope.length === 0;
  const summary = renderSummary({ policyTests, threshold: inputs.coverageThreshold, verdicts, scope, notes });
  emitAnnotations(annotations);
  await writeSummary(env, summary);
  await setOutputs(env, {
    result: ok ? 'pass' : 'fail',
    verified: String(verified),
    remediations: String(verdicts.length),
  });
  return { ok, verified, checked: verdicts.length, policyTests, verdicts, scope, annotations, summary };
}

/** The one line the failed step shows: what failed, counted. */
export function failureMessage(result: ActionResult): string {
  const parts: string[] = [];
  const failed = result.checked - result.verified;
  if (failed > 0) parts.push(`${failed} of ${counted(result.checked, 'remediation')} failed verification`);
  if (result.scope.length > 0)
    parts.push(`${counted(result.scope.length, 'file')} changed outside any signed remediation`);
  if (result.policyTests && !result.policyTests.ok) parts.push('the policy tests failed');
  return `salve: ${parts.join('; ') || 'failed'}; see the annotations and the job summary`;
}
