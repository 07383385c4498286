/**
 * One corpus case: plan the incident in-process, publish the branch into the temp repo, then hold
 * the result to every invariant, `salve verify` included (the real verify code path).
 */
import fs from 'node:fs';
import git from 'isomorphic-git';
import { CheckError, SalveError } from '../model/errors.ts';
import type { FileChange, Incident } from '../model/index.ts';
import { Proof } from '../model/policy.ts';
import type { PlanResult, PublishRequest } from '../model/remediation.ts';
import type { PipelineContext } from '../pipeline/context.ts';
import { planIncident } from '../pipeline/plan.ts';
import { policySettings } from '../pipeline/policy-input.ts';
import { publicKeyInfo, type SigningKey } from '../policy/index.ts';
import { publishLocal, type SigningIdentity } from '../publish/index.ts';
import { verifyRef } from '../verify/index.ts';
import type { Case, CorpusAction, Skip } from './cases.ts';
import { type Check, checkComments, checkDeclared, checkScope, fail, pass } from './invariants.ts';
import { incidentFor } from './signals.ts';

export interface CaseResult {
  testbed: string;
  overlay: string;
  workload: string;
  container: string;
  action: CorpusAction;
  checks: Check[];
}

export interface SkipResult extends Skip {
  testbed: string;
}

export interface CaseContext {
  testbed: string;
  repoDir: string;
  cluster: string;
  destination: string;
  ctx: PipelineContext;
  keys: { signingKey: SigningKey; pgp: SigningIdentity };
  now: Date;
  /** Sees every plan result of the case (the first run's), for tests that look at the files. */
  inspect?: (planned: PlanResult) => void;
}

export function describeError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n').slice(0, 8).join(' ; ');
}

/** An error salve raises on purpose for an input it does not support is a skip, not a violation. */
function isUnsupported(err: unknown): boolean {
  return err instanceof SalveError && err.code.startsWith('unsupported');
}

function sameBytes(a: readonly FileChange[], b: readonly FileChange[]): string | null {
  const key = (files: readonly FileChange[]) => new Map(files.map((f) => [f.path, f.after]));
  const x = key(a);
  const y = key(b);
  for (const path of new Set([...x.keys(), ...y.keys()])) {
    if (x.get(path) !== y.get(path)) return `${path} differs on a second run`;
  }
  return null;
}

function publish(cc: CaseContext, request: PublishRequest) {
  return publishLocal(request, {
    dir: cc.repoDir,
    author: { name: 'salve', email: 'salve@localhost' },
    signing: cc.keys.pgp,
    now: cc.now,
  });
}

/** A second run gives the same files, byte for byte, and publishing them again changes no branch. */
async function rerun(
  cc: CaseContext,
  incident: Incident,
  first: readonly FileChange[],
  published: { branch: string; commit: string },
): Promise<Check> {
  const branch = published.branch;
  let again: PlanResult;
  try {
    again = await planIncident(incident, cc.ctx);
  } catch (err) {
    return fail('rerun', `the second run failed: ${describeError(err)}`);
  }
  if (again.kind !== 'publish') return fail('rerun', `the second run gave ${again.kind}`);
  if (again.request.branch !== branch) return fail('rerun', `the second run names branch ${again.request.branch}`);
  const differs = sameBytes(first, again.request.files);
  if (differs) return fail('rerun', differs);
  const second = await publish(cc, again.request);
  if (!second.unchanged || second.commit !== published.commit)
    return fail('rerun', `publishing the second run moved ${branch} from ${published.commit} to ${second.commit}`);
  return pass('rerun');
}

export async function runCase(cc: CaseContext, c: Case, image: string): Promise<CaseResult | SkipResult> {
  const label = { testbed: cc.testbed, overlay: c.overlay, workload: `${c.workload.kind}/${c.workload.name}` };
  const result = (checks: Check[]): CaseResult => ({ ...label, container: c.container.name, action: c.action, checks });
  const where = c.container.init ? `init container ${c.container.name}` : `container ${c.container.name}`;
  const skip = (reason: string): SkipResult => ({ ...label, action: c.action, reason: `${where}: ${reason}` });
  const incident = incidentFor(c, cc.cluster, image, cc.now);
  let planned: PlanResult;
  try {
    planned = await planIncident(incident, cc.ctx);
  } catch (err) {
    if (isUnsupported(err)) return skip(`unsupported: ${describeError(err)}`);
    if (err instanceof CheckError && err.code === 'kustomize-build-failed')
      return result([fail('builds', describeError(err))]);
    if (err instanceof CheckError) return result([pass('builds'), fail('declared-effects', describeError(err))]);
    return result([fail('builds', `plan failed: ${describeError(err)}`)]);
  }
  cc.inspect?.(planned);
  if (planned.kind === 'none') return skip(planned.reason);
  if (planned.kind === 'drift')
    return result([
      pass('builds'),
      fail('declared-effects', `salve reports drift for an image git renders: ${planned.drift.failingImage}`),
    ]);
  const rem = planned.remediation;
  if (rem.action.id !== c.action) return skip(`salve chose ${rem.action.id} over ${c.action}`);
  const changed = rem.action.params.container;
  if (typeof changed === 'string' && changed !== c.container.name) {
    return result([
      pass('builds'),
      fail('declared-effects', `the incident names ${where}, and salve changes container ${changed}`),
    ]);
  }
  if (planned.kind !== 'publish') {
    const rules = rem.decision.rules.filter((r) => r.effect === 'deny').map((r) => r.id);
    return skip(`${planned.kind} by policy (${rules.join(', ') || rem.decision.mode}), no branch to verify`);
  }
  const request = planned.request;
  const published = await publish(cc, request);
  const proofFile = request.files.find((f) => f.path.endsWith('/proof.json'));
  const proof = Proof.parse(JSON.parse(proofFile?.after ?? '{}'));
  const checks = [pass('builds'), await checkDeclared(cc.repoDir, rem, proof, cc.destination, cc.ctx.builds)];
  const verdicts = await verifyRef({
    repoDir: cc.repoDir,
    ref: request.branch,
    bundle: cc.ctx.policy.bundle,
    trustedKeys: [publicKeyInfo(cc.keys.signingKey.publicKey, 'corpus')],
    settings: policySettings(cc.ctx.config),
    ids: [request.id],
  });
  const verdict = verdicts[0];
  const errors = verdict?.errors.map((e) => `${e.file}: ${e.reason}`).join('; ');
  checks.push(verdict?.ok ? pass('verify') : fail('verify', errors ?? 'no remediation on the branch'));
  checks.push(checkComments(rem));
  checks.push(await rerun(cc, incident, request.files, published));
  checks.push(
    checkScope(
      rem,
      request.files.map((f) => f.path),
    ),
  );
  // Each case starts from the base alone: a branch left open would be superseded by the next case
  // of the same workload (one open remediation per workload), which is another feature's test.
  await git.deleteRef({ fs, dir: cc.repoDir, ref: `refs/heads/${request.branch}` });
  return result(checks);
}
