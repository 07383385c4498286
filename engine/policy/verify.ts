/** Verifies a signed proof: signature, shape, policy bundle, decision (re-evaluated) and change digests. */
import type { KeyObject } from 'node:crypto';
import { VerifyError } from '../model/errors.ts';
import type { FileChange, PolicyDecision, PolicyRule, RenderedDiff } from '../model/index.ts';
import { type DsseEnvelope, PROOF_PAYLOAD_TYPE, Proof } from '../model/policy.ts';
import type { PolicyBundle } from './bundle.ts';
import { canonicalJson } from './digest.ts';
import { verifyEnvelope } from './dsse.ts';
import { loadEvaluator, type PolicyEvaluator } from './evaluator.ts';
import type { PublicKeyInfo } from './keys.ts';
import { changesDigest, renderedDiffDigest } from './proof.ts';

export interface VerifyProofArgs {
  envelope: DsseEnvelope;
  trustedKeys: readonly (KeyObject | PublicKeyInfo)[];
  bundle: PolicyBundle;
  files?: readonly FileChange[];
  diff?: RenderedDiff;
  /** Reuse an evaluator already loaded for `bundle`. */
  evaluator?: PolicyEvaluator;
}

const ruleKey = (r: PolicyRule): string => `${r.id} (${r.effect}): ${r.message}`;

/** What differs between the recorded and the recomputed decision, one phrase per difference. */
export function describeDecisionDiff(recorded: PolicyDecision, now: PolicyDecision): string[] {
  const out: string[] = [];
  if (recorded.allowed !== now.allowed) out.push(`allowed ${recorded.allowed} vs ${now.allowed}`);
  if (recorded.mode !== now.mode) out.push(`mode ${recorded.mode} vs ${now.mode}`);
  const before = new Set(recorded.rules.map(ruleKey));
  const after = new Set(now.rules.map(ruleKey));
  for (const k of before) if (!after.has(k)) out.push(`rule no longer fires: ${k}`);
  for (const k of after) if (!before.has(k)) out.push(`rule now fires: ${k}`);
  if (out.length === 0) out.push('rule order differs');
  return out;
}

export async function verifyProof(args: VerifyProofArgs): Promise<{ proof: Proof; keyid: string }> {
  const { keyid, payload } = verifyEnvelope(args.envelope, args.trustedKeys, { payloadType: PROOF_PAYLOAD_TYPE });
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new VerifyError('proof payload is not JSON', { code: 'bad-proof' });
  }
  const parsed = Proof.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VerifyError(`proof is malformed at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`, {
      code: 'bad-proof',
    });
  }
  const proof = parsed.data;
  if (proof.policy.bundleDigest !== args.bundle.digest) {
    throw new VerifyError(
      `policy bundle differs: proof ${proof.policy.bundleDigest} vs current ${args.bundle.digest}`,
      { code: 'bundle-mismatch' },
    );
  }
  if (proof.policy.entrypoint !== args.bundle.entrypoint) {
    throw new VerifyError(
      `policy entrypoint differs: proof ${proof.policy.entrypoint} vs current ${args.bundle.entrypoint}`,
      { code: 'bundle-mismatch' },
    );
  }
  const evaluator = args.evaluator ?? (await loadEvaluator(args.bundle));
  const recomputed = evaluator.evaluate(proof.input);
  if (canonicalJson(recomputed) !== canonicalJson(proof.decision)) {
    throw new VerifyError(
      `decision differs when the proof's input is evaluated again: ${describeDecisionDiff(proof.decision, recomputed).join('; ')}`,
      { code: 'decision-mismatch' },
    );
  }
  if (args.files) {
    const digest = changesDigest(args.files);
    if (digest !== proof.subject.changesDigest) {
      throw new VerifyError(`changes digest differs: proof ${proof.subject.changesDigest} vs files ${digest}`, {
        code: 'changes-mismatch',
      });
    }
  }
  if (args.diff) {
    const digest = renderedDiffDigest(args.diff);
    if (digest !== proof.subject.renderedDiffDigest) {
      throw new VerifyError(
        `rendered diff digest differs: proof ${proof.subject.renderedDiffDigest} vs rendered ${digest}`,
        { code: 'diff-mismatch' },
      );
    }
  }
  return { proof, keyid };
}
