/** Proofs: what was decided, on which input, under which policy, about which change; and their digests. */
import type { FileChange, PolicyDecision, RenderedDiff } from '../model/index.ts';
import {
  type DsseEnvelope,
  type PolicyInput,
  PROOF_PAYLOAD_TYPE,
  PROOF_VERSION,
  Proof,
  type SignedFile,
} from '../model/policy.ts';
import { canonicalJson, digestOf, sha256Hex } from './digest.ts';
import { signEnvelope } from './dsse.ts';
import type { SigningKey } from './keys.ts';

/** What a proof signs of file changes: `[{path, sha256 of after}]` (null: deleted), sorted by path. */
export function subjectFiles(files: readonly FileChange[]): SignedFile[] {
  return files
    .map((f) => ({ path: f.path, sha256: f.after === null ? null : sha256Hex(f.after) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface SubjectMismatch {
  path: string;
  /** `unsigned`: changed but not in the subject; `differs`: other content; `missing`: signed but not changed. */
  problem: 'unsigned' | 'differs' | 'missing';
  /** The real change deletes the file. */
  deleted?: true;
}

/** Each file where the real change and the signed subject disagree, sorted by path. */
export function subjectMismatches(signed: readonly SignedFile[], files: readonly FileChange[]): SubjectMismatch[] {
  const want = new Map(signed.map((f) => [f.path, f.sha256]));
  const out: SubjectMismatch[] = [];
  for (const f of subjectFiles(files)) {
    const sha = want.get(f.path);
    const deleted = f.sha256 === null ? { deleted: true as const } : {};
    if (sha === undefined) out.push({ path: f.path, problem: 'unsigned', ...deleted });
    else if (sha !== f.sha256) out.push({ path: f.path, problem: 'differs', ...deleted });
    want.delete(f.path);
  }
  for (const path of want.keys()) out.push({ path, problem: 'missing' });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A mismatch as a reviewer reads it, after the file's path. */
export function describeMismatch(m: SubjectMismatch): string {
  switch (m.problem) {
    case 'unsigned':
      return `${m.deleted ? 'deleted' : 'changed'} since the proof's base commit, but not signed by its proof`;
    case 'differs':
      return m.deleted ? 'deleted, but its proof signs content for it' : 'differs from the content its proof signs';
    case 'missing':
      return 'signed by its proof, but not changed';
  }
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
  /** Every file the remediation adds, changes or deletes, its explanation included (not the proof's own files). */
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
    version: PROOF_VERSION,
    subject: {
      repo: args.repo,
      baseCommit: args.baseCommit,
      overlay: args.overlay,
      ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
      files: subjectFiles(args.files),
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
