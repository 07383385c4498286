/**
 * Verifies a change (a pull request, or a branch on a checkout) against the base branch it is
 * meant for: what `salve verify` and the GitHub Action both run. Keys, policies and settings come
 * from the base commit; every remediation the change adds or changes is re-verified, must be
 * planned on a commit of the base branch, and the change may carry nothing its proofs do not sign.
 */
import { DsseEnvelope, PROOF_PAYLOAD_TYPE, Proof } from '../model/policy.ts';
import { policySettings } from '../pipeline/policy-input.ts';
import { canonicalJson, describeDecisionDiff, verifyEnvelope } from '../policy/index.ts';
import { REMEDIATIONS_DIR, readRemediations } from '../publish/read.ts';
import { changedPaths, isAncestor, mergeBase } from './history.ts';
import { type Verdict, verifyRef } from './index.ts';
import { type CheckedRemediation, checkScope, type ScopeProblem } from './scope.ts';
import { type BaseView, isOwnConfiguration, loadBaseConfig, loadBaseView, type TrustSources } from './trust.ts';

export interface ChangeVerification {
  /** Where the change leaves the base branch. */
  mergeBase: string;
  /** Paths the change adds, changes or deletes since `mergeBase`. */
  files: string[];
  /** Every remediation the change adds or changes, verified. */
  verdicts: Verdict[];
  /** Files the change touches that no verified proof covers, and no remediation answers for. */
  scope: ScopeProblem[];
}

export interface VerifyChangeArgs {
  dir: string;
  /** The base branch's commit: what the change is judged by. */
  base: string;
  head: string;
  trust: TrustSources;
  /** Where compiled policy bundles are cached. */
  cacheDir?: string;
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

export function isVerified(v: ChangeVerification): boolean {
  return v.scope.length === 0 && v.verdicts.every((x) => x.ok);
}

export async function verifyChange(args: VerifyChangeArgs): Promise<ChangeVerification> {
  const { dir, base, head } = args;
  const since = (await mergeBase(dir, base, head)) ?? base;
  const files = await changedPaths(dir, since, head);
  const ids = remediationIds(files);
  if (ids.length === 0) {
    // No remediation: salve has no say, but a change to what it judges by never passes it.
    const config = await loadBaseConfig(dir, base, args.trust);
    const scope = files
      .filter((f) => isOwnConfiguration(f, config))
      .map((file) => ({
        file,
        reason:
          "changes salve's own configuration (policy, trust or templates), which no signed proof covers: salve does not pass a change to what it judges remediations by; its owners review it and merge it past this check",
      }));
    return { mergeBase: since, files, verdicts: [], scope };
  }
  const view = await loadBaseView(dir, base, args.trust, args.cacheDir ? { cacheDir: args.cacheDir } : {});
  const verdicts = await verifyRef({
    repoDir: dir,
    ref: head,
    bundle: view.bundle,
    trustedKeys: view.trustedKeys,
    ids,
    settings: policySettings(view.config),
  });
  const records = await readRemediations(dir, head);
  for (const v of verdicts) await explain(v, records.find((r) => r.id === v.id)?.files, view, dir);
  const remediations: CheckedRemediation[] = verdicts.map((v) => ({
    id: v.id,
    ok: v.ok,
    covers: v.ok && v.proof ? covers(v.id, v.proof) : [],
  }));
  // Remediations the change removes from the head are out of scope for verifyRef: keep their files checked.
  for (const id of ids)
    if (!verdicts.some((v) => v.id === id)) remediations.push({ id, ok: false, covers: [], removed: true });
  const scope = await checkScope({
    dir,
    head,
    mergeBase: since,
    prFiles: files,
    remediations,
    isOwnConfiguration: (path) => isOwnConfiguration(path, view),
  });
  for (const problem of scope) {
    const verdict = verdicts.find((v) => v.id === problem.remediation);
    if (verdict) {
      verdict.errors.push({ file: problem.file, reason: problem.reason });
      verdict.ok = false;
    }
  }
  const answered = (p: ScopeProblem) => verdicts.some((v) => v.id === p.remediation);
  return { mergeBase: since, files, verdicts, scope: scope.filter((p) => !answered(p)) };
}

/** The files a verified proof answers for: what it signs, and its own two. */
function covers(id: string, proof: Proof): string[] {
  const dir = `${REMEDIATIONS_DIR}/${id}`;
  return [...proof.subject.files.map((f) => f.path), `${dir}/proof.json`, `${dir}/proof.dsse.json`];
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
 * Checks that the remediation was planned on the base branch, and adds what a reviewer needs
 * beside the verifier's own errors: what the remediation claims (even when its signature fails)
 * and, when it was signed under other policies, what the base commit's policies decide for the
 * same input.
 */
async function explain(
  v: Verdict,
  files: Record<string, string> | undefined,
  base: BaseView,
  dir: string,
): Promise<void> {
  const claim = readClaim(files);
  const proof = v.proof ?? claim?.proof;
  if (!proof) return;
  v.action ??= proof.input.action.id;
  v.target ??= `${proof.input.target.cluster}/${proof.input.target.namespace}/${proof.input.target.kind}/${proof.input.target.name}`;
  v.mode ??= proof.decision.mode;
  v.rules ??= proof.decision.rules.map((r) => r.id);
  const envelopeFile = `${REMEDIATIONS_DIR}/${v.id}/proof.dsse.json`;
  if (!(await isAncestor(dir, proof.subject.baseCommit, base.commit))) {
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
