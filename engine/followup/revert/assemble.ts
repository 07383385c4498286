/**
 * The revert as a remediation to publish: one branch and id per reverted PR (a rerun updates or
 * leaves it, never a second one), its explanation and signed proof under .salve/remediations/,
 * and the PR body carrying the same hidden metadata as any salve PR.
 */
import { plain } from '../../explain/markdown.ts';
import { metadataComment } from '../../explain/metadata.ts';
import { salveLabels } from '../../explain/render.ts';
import type { FileChange } from '../../model/index.ts';
import { PROOF_PAYLOAD_TYPE } from '../../model/policy.ts';
import type { PrMetadata } from '../../model/remediation.ts';
import type { PipelineContext } from '../../pipeline/context.ts';
import { readBlobAt } from '../../pipeline/git.ts';
import { canonicalJson, createProof, sha256Hex, signEnvelope } from '../../policy/index.ts';
import type { PublishInput } from '../../publish/github/types.ts';
import type { FollowUpJob, Outcome } from '../types.ts';
import { revertExplanation } from './explain.ts';
import type { RevertEvaluated } from './plan.ts';

export const revertId = (pull: number) => `revert-pr-${pull}`;
export const revertBranch = (pull: number) => `salve/revert-pr-${pull}`;

export type AssembledRevert =
  | { kind: 'publish'; input: PublishInput; explanation: string }
  | { kind: 'observe' | 'denied'; explanation: string };

export async function assembleRevert(
  ctx: PipelineContext,
  ev: RevertEvaluated,
  job: FollowUpJob,
  outcome: Outcome,
): Promise<AssembledRevert> {
  const id = revertId(job.pull);
  const dir = `.salve/remediations/${id}`;
  const explanation = revertExplanation(ev, job, outcome, ctx.baseCommit);
  const record = async (name: string, after: string): Promise<FileChange> => ({
    path: `${dir}/${name}`,
    before: await readBlobAt(ctx.repoDir, ctx.baseCommit, `${dir}/${name}`),
    after,
  });
  const explanationFile = await record('explanation.md', explanation);
  const signed = explanationFile.before === explanation ? ev.files : [...ev.files, explanationFile];
  const proof = createProof({
    repo: ctx.repoName,
    baseCommit: ctx.baseCommit,
    overlay: ev.resolution.overlay,
    namespace: ev.resolution.application.namespace,
    files: signed,
    diff: ev.diff,
    bundle: ctx.policy.bundle,
    input: ev.input,
    decision: ev.decision,
    engineVersion: ctx.engineVersion,
    now: ctx.now,
  });
  const envelopeText = `${JSON.stringify(signEnvelope(Buffer.from(canonicalJson(proof)), PROOF_PAYLOAD_TYPE, ctx.signingKey), null, 2)}\n`;
  const proofDigest = `sha256:${sha256Hex(envelopeText)}`;
  if (!ev.decision.allowed) return { kind: 'denied', explanation };
  if (ev.decision.mode === 'observe') return { kind: 'observe', explanation };
  const t = job.remediation.target;
  const metadata: PrMetadata = {
    version: 1,
    id,
    fingerprint: ev.incident.fingerprint,
    action: ev.candidate.action,
    mode: ev.decision.mode,
    target: t,
    overlay: ev.resolution.overlay,
    baseCommit: ctx.baseCommit,
    proofDigest,
    occurrences: ev.incident.occurrences,
    lastSeen: ev.incident.lastSeen,
  };
  const title = plain(
    `salve: revert pull request ${job.pull} (${job.remediation.action} on ${t.kind}/${t.name}), harmful (${ev.resolution.environment.name})`,
  );
  const body = `${explanation}\n${metadataComment(metadata)}\n`;
  return {
    kind: 'publish',
    explanation,
    input: {
      decision: ev.decision,
      proofDigest,
      request: {
        id,
        branch: revertBranch(job.pull),
        baseCommit: ctx.baseCommit,
        baseBranch: ctx.baseBranch,
        files: [
          ...ev.files,
          explanationFile,
          await record('proof.json', `${JSON.stringify(proof, null, 2)}\n`),
          await record('proof.dsse.json', envelopeText),
        ],
        commitMessage: `${title}\n\n${ev.candidate.summary}.\nDecision: ${ev.decision.mode} (${ev.decision.rules.length} rules).\nProof: ${proofDigest}\n\nSalve-Remediation: ${id}\nSalve-Fingerprint: ${ev.incident.fingerprint}\nSalve-Reverts: ${job.mergeSha}\n`,
        pr: { title, body, labels: salveLabels(ev.candidate.action, ev.decision.mode) },
        metadata,
      },
    },
  };
}
