/**
 * Re-verifies every remediation a pull request adds or changes, with the base commit's policies
 * and keys, and checks that the pull request carries nothing its signed proofs do not cover.
 */

import { DsseEnvelope, PROOF_PAYLOAD_TYPE, Proof } from '../model/policy.ts';
import { policySettings } from '../pipeline/policy-input.ts';
import { canonicalJson, describeDecisionDiff, verifyEnvelope } from '../policy/index.ts';
import { REMEDIATIONS_DIR, readRemediations } from '../publish/read.ts';
import { type Verdict, verifyRef } from '../verify/index.ts';
import type { BaseView } from './base-view.ts';
import { isAncestor } from './git-history.ts';
import { checkScope, type ScopeProblem } from './pr-scope.ts';

export interface PullRequestVerification {
  verdicts: Verdict[];
  /** Files the pull request changes that no signed remediation covers. */
  scope: ScopeProblem[];
}

/** Remediation ids with a file under `.salve/remediations/<id>/` among `paths`. */
export function remediationIds(paths: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const p of paths) {
    const m = p.match(/^\.salve\/remediations\/([^/]+)\//);
    if (m?.[1]) ids.add(m[1]);
  }
  return [...ids].sort();
}

export async function verifyPullRequest(args: {
  workspace: string;
  base: BaseView;
  head: string;
  mergeBase: string;
  prFiles: string[];
}): Promise<PullRequestVerification> {
  const { workspace, base, head } = args;
  const ids = remediationIds(args.prFiles);
  const verdicts = await verifyRef({
    repoDir: workspace,
    ref: head,
    bundle: base.bundle,
    trustedKeys: base.trustedKeys,
    ids,
    settings: policySettings(base.config),
  });
  const records = await readRemediations(workspace, head);
  for (const v of verdicts) await explain(v, records.find((r) => r.id === v.id)?.files, base, workspace);
  const remediations = verdicts.map((v) => ({
    id: v.id,
    ok: v.ok,
    ...(v.proof ? { baseCommit: v.proof.subject.baseCommit } : {}),
  }));
  // Remediations the PR changes but removes from the head are out of scope for verifyRef: keep their files checked.
  for (const id of ids) if (!verdicts.some((v) => v.id === id)) remediations.push({ id, ok: false });
  const scope = await checkScope({
    dir: workspace,
    head,
    mergeBase: args.mergeBase,
    prFiles: args.prFiles,
    remediations,
    policies: base.policies,
  });
  for (const problem of scope) {
    const verdict = verdicts.find((v) => v.id === problem.remediation);
    if (verdict) {
      verdict.errors.push({ file: problem.file, reason: problem.reason });
      verdict.ok = false;
    }
  }
  return { verdicts, scope: scope.filter((p) => !p.remediation) };
}

/** The envelope and the proof it claims, signature not checked; null when unreadable. */
function readClaim(files: Record<string, string> | undefined): { envelope: DsseEnvelope; proof: Proof } | null {
  try {
    const envelope = DsseEnvelope.parse(JSON.parse(files?.['proof.dsse.json'] ?? ''));
    return { envelope, proof: Proof.parse(JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'))) };
  } catch {
    return null;
  }
}

function signedByTrustedKey(envelope: DsseEnvelope, base: BaseView): boolean {
  try {
    verifyEnvelope(envelope, base.trustedKeys, { payloadType: PROOF_PAYLOAD_TYPE });
    return true;
  } catch {
    return false;
  }
}

/**
 * Adds what a reviewer needs beside the verifier's own errors: what the remediation claims (even
 * when its signature fails), whether it was planned on the base branch, and, when it was signed
 * under other policies, what the base commit's policies decide for the same input.
 */
async function explain(
  v: Verdict,
  files: Record<string, string> | undefined,
  base: BaseView,
  workspace: string,
): Promise<void> {
  const claim = readClaim(files);
  const proof = v.proof ?? claim?.proof;
  if (!proof) return;
  v.action ??= proof.input.action.id;
  v.target ??= `${proof.input.target.cluster}/${proof.input.target.namespace}/${proof.input.target.kind}/${proof.input.target.name}`;
  v.mode ??= proof.decision.mode;
  v.rules ??= proof.decision.rules.map((r) => r.id);
  const envelopeFile = `${REMEDIATIONS_DIR}/${v.id}/proof.dsse.json`;
  if (!(await isAncestor(workspace, proof.subject.baseCommit, base.commit))) {
    v.errors.push({
      file: envelopeFile,
      reason: `planned on commit ${proof.subject.baseCommit.slice(0, 12)}, which is not on the base branch (${base.commit.slice(0, 12)}): the pull request carries commits its proof does not cover`,
    });
  }
  if (claim && proof.policy.bundleDigest !== base.bundle.digest && signedByTrustedKey(claim.envelope, base)) {
    const now = base.evaluator.evaluate(proof.input);
    const same = canonicalJson(now) === canonicalJson(proof.decision);
    v.errors.push({
      file: envelopeFile,
      reason: `signed under policies other than the base commit's (bundle ${proof.policy.bundleDigest.slice(0, 19)}…, base ${base.bundle.digest.slice(0, 19)}…); with the base commit's policies the decision is ${
        same ? 'the same for this input' : `different: ${describeDecisionDiff(proof.decision, now).join('; ')}`
      }`,
    });
  }
  v.ok = v.errors.length === 0;
}
