/** Proofs: what was decided, on which input, under which policy, about which change; and their digests. */
import type { FileChange, PolicyDecision, RenderedDiff } from '../model/index.ts';
import { type DsseEnvelope, type PolicyInput, PROOF_PAYLOAD_TYPE, Proof } from '../model/policy.ts';
import { canonicalJson, digestOf, sha256Hex } from './digest.ts';
import { signEnvelope } from './dsse.ts';
import type { SigningKey } from './keys.ts';

/** Digest of `[{path, sha256 of after}]` sorted by path. */
export function changesDigest(files: readonly FileChange[]): string {
  const entries = files
    .map((f) => ({ path: f.path, sha256: sha256Hex(f.after) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return digestOf(entries);
}

/** Fields and objects in a stable order, so the digest does not depend on how the diff was walked. */
export function canonicalDiff(diff: RenderedDiff): RenderedDiff {
  const byJson = <T>(items: readonly T[]): T[] =>
    items
      .map((item) => ({ item, key: canonicalJson(item) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((x) => x.item);
  return { fields: byJson(diff.fields), objects: byJson(diff.objects) };
}

export function renderedDiffDigest(diff: RenderedDiff): string {
  return digestOf(canonicalDiff(diff));
}

export interface CreateProofArgs {
  repo: string;
  baseCommit: string;
  overlay: string;
  /** The Application's destination namespace (see Proof.subject.namespace); '' when it names none. */
  namespace?: string;
  files: readonly FileChange[];
  diff: RenderedDiff;
  bundle: { digest: string; entrypoint: string };
  input: PolicyInput;
  decision: PolicyDecision;
  engineVersion: string;
  now: Date | string;
}

export function createProof(args: CreateProofArgs): Proof {
  return Proof.parse({
    version: 'salve.dev/proof/v1',
    subject: {
      repo: args.repo,
      baseCommit: args.baseCommit,
      overlay: args.overlay,
      ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
      changesDigest: changesDigest(args.files),
      renderedDiffDigest: renderedDiffDigest(args.diff),
    },
    policy: { bundleDigest: args.bundle.digest, entrypoint: args.bundle.entrypoint },
    input: args.input,
    decision: args.decision,
    engine: { name: 'salve', version: args.engineVersion },
    createdAt: typeof args.now === 'string' ? args.now : args.now.toISOString(),
  });
}

/** The proof as canonical JSON in a DSSE envelope of type PROOF_PAYLOAD_TYPE. */
export function signProof(proof: Proof, key: SigningKey): DsseEnvelope {
  return signEnvelope(canonicalJson(proof), PROOF_PAYLOAD_TYPE, key);
}
