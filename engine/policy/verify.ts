/** Verifies a signed proof: signature, shape, policy bundle, decision (re-evaluated) and change digests. */
import type { KeyObject } from 'node:crypto';
import { VerifyError } from '../model/errors.ts';
import type { FileChange, PolicyDecision, PolicyRule, RenderedDiff } from '../model/index.ts';
import {
  type DsseEnvelope,
  PROOF_PAYLOAD_TYPE,
  Proof,
  RETIRED_PROOF_PAYLOAD_TYPES,
  RETIRED_PROOF_VERSIONS,
} from '../model/policy.ts';
import type { PolicyBundle } from './bundle.ts';
import { canonicalJson } from './digest.ts';
import { verifyEnvelope } from './dsse.ts';
import { loadEvaluator, type PolicyEvaluator } from './evaluator.ts';
import type { PublicKeyInfo } from './keys.ts';
import { describeMismatch, renderedDiffDigest, subjectMismatches } from './proof.ts';

export interface VerifyProofArgs {
  envelope: DsseEnvelope;
  trustedKeys: readonly (KeyObject | PublicKeyInfo)[];
  bundle: PolicyBundle;
  /** The real change since the proof's base commit, the proof's own files left out: must be the subject's. */
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

function retired(version: string): VerifyError {
  return new VerifyError(
    `proof format ${version} is no longer accepted: ${RETIRED_PROOF_VERSIONS[version]}; plan the remediation again`,
    { code: 'unsupported-proof-version' },
  );
}

export async function verifyProof(args: VerifyProofArgs): Promise<{ proof: Proof; keyid: string }> {
  const old = RETIRED_PROOF_PAYLOAD_TYPES[args.envelope.payloadType];
  if (old) throw retired(old);
  const { keyid, payload } = verifyEnvelope(args.envelope, args.trustedKeys, { payloadType: PROOF_PAYLOAD_TYPE });
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new VerifyError('proof payload is not JSON', { code: 'bad-proof' });
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version === 'string' && Object.hasOwn(RETIRED_PROOF_VERSIONS, version)) throw retired(version);
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
    const mismatches = subjectMismatches(proof.subject.files, args.files);
    if (mismatches.length > 0) {
      throw new VerifyError(
        `changed files differ from the proof's subject: ${mismatches.map((m) => `${m.path} ${describeMismatch(m)}`).join('; ')}`,
        { code: 'changes-mismatch' },
      );
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
