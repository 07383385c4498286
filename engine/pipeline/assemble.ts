/**
 * The last step of planning: the proof signed, the remediation, its explanation, and what to
 * publish (or the observe or denied record) for the chosen candidate.
 */
import { labelsFor, renderExplanation, renderPullRequest } from '../explain/index.ts';
import type { FileChange, Incident, PolicyDecision, Target } from '../model/index.ts';
import { PROOF_PAYLOAD_TYPE } from '../model/policy.ts';
import type { OverlayResolution, PlanResult, PrMetadata, Remediation } from '../model/remediation.ts';
import { shortFingerprint } from '../perceive/index.ts';
import { canonicalJson, createProof, sha256Hex, signEnvelope } from '../policy/index.ts';
import type { RepoTree } from '../repo/index.ts';
import { type BranchHead, branchHead, supersededBy, workloadBranch } from './branch.ts';
import type { PipelineContext } from './context.ts';
import type { Evaluated } from './plan.ts';

export function deniedBy(decision: PolicyDecision): string {
  return decision.rules
    .filter((r) => r.effect === 'deny')
    .map((r) => r.id)
    .join(', ');
}

/**
 * What the commit holds at `path`, as git stores it (a link's target text; null for a directory or
 * nothing): read from the run's snapshot of the base commit, already listed and mostly in memory.
 */
export async function committedText(tree: RepoTree, path: string): Promise<string | null> {
  const entry = await tree.lstat(path);
  if (entry?.type === 'link') return tree.readLink(path);
  if (entry?.type !== 'file') return null;
  return (await tree.readResolved([path])).get(path)?.toString('utf8') ?? null;
}

/** Branch heads in the run's checkout, each read once: a plan asks for its workload's early. */
export type BranchHeads = (branch: string) => Promise<BranchHead | null>;

export function branchHeads(ctx: Pick<PipelineContext, 'repoDir' | 'baseCommit'>): BranchHeads {
  const read = new Map<string, Promise<BranchHead | null>>();
  return (branch) => {
    let head = read.get(branch);
    if (!head) {
      head = branchHead(ctx.repoDir, branch, ctx.baseCommit).catch(() => null);
      read.set(branch, head);
    }
    return head;
  };
}

export async function assemble(
  ctx: PipelineContext,
  incident: Incident,
  resolution: OverlayResolution,
  picked: Evaluated,
  rationale: string[],
  workload: Target = incident.target,
  heads: BranchHeads = branchHeads(ctx),
): Promise<PlanResult> {
  const { plugin, candidate, files, diff, input, decision, notes } = picked;
  const id = `${shortFingerprint(incident.fingerprint)}-${plugin.id}`;
  const branch = workloadBranch(workload);
  const superseded = await supersededBy(ctx.repoDir, branch, ctx.baseCommit, id, await heads(branch));
  if (superseded) {
    rationale.push(
      `This supersedes ${superseded.branch} (${superseded.id}: "${superseded.title}", commit ${superseded.commit.slice(0, 12)}), not merged: salve keeps one open remediation per workload, and this incident's is now this one. If that change is still needed, salve proposes it again once this one merges.`,
    );
  }
  const remediation: Remediation = {
    id,
    branch,
    incident,
    action: {
      id: plugin.id,
      family: plugin.family,
      disruption: plugin.disruption,
      params: candidate.params,
      summary: candidate.summary,
      rationale,
    },
    target: { ...incident.target, ...(candidate.container ? { container: candidate.container } : {}) },
    overlay: resolution.overlay,
    application: resolution.application.name,
    ...(resolution.application.sync ? { sync: resolution.application.sync } : {}),
    environment: resolution.environment,
    baseCommit: ctx.baseCommit,
    files,
    diff,
    decision,
    ...(input.exposure ? { exposure: input.exposure } : {}),
    ...(notes.length > 0 ? { notes } : {}),
    // The proof signs the explanation, so the explanation cannot name the proof's digest.
    proofDigest: '',
    bundleDigest: ctx.policy.bundle.digest,
  };
  const metadata: PrMetadata = {
    version: 1,
    id,
    fingerprint: incident.fingerprint,
    action: plugin.id,
    mode: decision.mode,
    target: incident.target,
    overlay: resolution.overlay,
    baseCommit: ctx.baseCommit,
    proofDigest: '',
    occurrences: incident.occurrences,
    lastSeen: incident.lastSeen,
  };
  const explanation = renderExplanation(remediation, { templateDirs: ctx.templateDirs, metadata });
  const dir = `.salve/remediations/${id}`;
  // A recurrence after an earlier remediation of this incident merged replaces its record.
  const recordFile = async (name: string, after: string): Promise<FileChange> => ({
    path: `${dir}/${name}`,
    before: await committedText(ctx.snapshot, `${dir}/${name}`),
    after,
  });
  const explanationFile = await recordFile('explanation.md', explanation);
  // The proof signs every file the commit adds or changes, the explanation included, but its own two.
  const signed = explanationFile.before === explanation ? files : [...files, explanationFile];
  const proof = createProof({
    repo: ctx.repoName,
    baseCommit: ctx.baseCommit,
    overlay: resolution.overlay,
    namespace: resolution.application.namespace,
    files: signed,
    diff,
    bundle: ctx.policy.bundle,
    input,
    decision,
    engineVersion: ctx.engineVersion,
    now: ctx.now,
  });
  const envelope = signEnvelope(Buffer.from(canonicalJson(proof)), PROOF_PAYLOAD_TYPE, ctx.signingKey);
  const envelopeText = `${JSON.stringify(envelope, null, 2)}\n`;
  remediation.proofDigest = `sha256:${sha256Hex(envelopeText)}`;
  metadata.proofDigest = remediation.proofDigest;
  if (!decision.allowed) return { kind: 'denied', remediation, explanation };
  if (decision.mode === 'observe') {
    const reason =
      decision.rules
        .filter((r) => r.effect === 'advisory')
        .map((r) => r.id)
        .join(', ') || 'trust ladder';
    return { kind: 'observe', remediation, explanation, reason };
  }
  const record: FileChange[] = [
    explanationFile,
    await recordFile('proof.json', `${JSON.stringify(proof, null, 2)}\n`),
    await recordFile('proof.dsse.json', envelopeText),
  ];
  const pr = renderPullRequest(remediation, { templateDirs: ctx.templateDirs, metadata });
  return {
    kind: 'publish',
    remediation,
    request: {
      id,
      branch: remediation.branch,
      baseCommit: ctx.baseCommit,
      baseBranch: ctx.baseBranch,
      files: [...files, ...record],
      commitMessage: `${pr.title}\n\n${candidate.summary}.\nDecision: ${decision.mode} (${decision.rules.length} rules).\nProof: ${remediation.proofDigest}\n\nSalve-Remediation: ${id}\nSalve-Fingerprint: ${incident.fingerprint}\n`,
      pr: { ...pr, labels: labelsFor(remediation) },
      metadata,
    },
  };
}
