/**
 * decide → render → check → govern for the revert of a harmful merged remediation: the inverse
 * recomputed from the commits, the files restored to the merge's parent, the rendered change held
 * to exactly that inverse, and policy deciding it like any remediation.
 */
import { REVERT_REMEDIATION, revertRemediation } from '../../actions/revert-remediation/index.ts';
import type { RevertParams } from '../../actions/revert-remediation/params.ts';
import type { ActionCandidate } from '../../actions/types.ts';
import { placeObjects } from '../../check/identity.ts';
import { checkDeclaredEffects, renderedDiff } from '../../check/index.ts';
import { CheckError } from '../../model/errors.ts';
import type { FileChange, Incident, PolicyDecision, RenderedDiff, Target } from '../../model/index.ts';
import type { PolicyInput } from '../../model/policy.ts';
import type { OverlayResolution } from '../../model/remediation.ts';
import type { PipelineContext } from '../../pipeline/context.ts';
import { findKustomization, repoView } from '../../pipeline/plan.ts';
import { buildPolicyInput } from '../../pipeline/policy-input.ts';
import { buildChanged, buildCommitted, buildOptions } from '../../pipeline/shadow.ts';
import { sha256Hex } from '../../policy/index.ts';
import { namespaceLabels, resolveOverlay } from '../../repo/index.ts';
import type { OutcomeRecord } from '../record.ts';
import type { FollowUpJob } from '../types.ts';
import { commitTime } from './git.ts';
import { asDeclared, renderedInverse, revertScope } from './inverse.ts';

export interface RevertEvaluated {
  kind: 'evaluated';
  incident: Incident;
  resolution: OverlayResolution;
  candidate: ActionCandidate;
  params: RevertParams;
  files: FileChange[];
  diff: RenderedDiff;
  input: PolicyInput;
  decision: PolicyDecision;
}

export type RevertFinding = { kind: 'finding'; reason: string; files: string[] };

/**
 * The revert's own fingerprint: one per reverted merge, never the incident's, so that the revert
 * and a fix salve proposes for the same incident never supersede (close) each other.
 */
export function revertFingerprint(job: Pick<FollowUpJob, 'repo' | 'pull' | 'mergeSha'>): string {
  return sha256Hex(`salve-revert:${job.repo.owner}/${job.repo.repo}#${job.pull}@${job.mergeSha}`.toLowerCase());
}

/** The revert's incident is the harmful outcome: certain (a deterministic score), about the same owner. */
function revertIncident(job: FollowUpJob, record: OutcomeRecord): Incident {
  return {
    fingerprint: revertFingerprint(job),
    target: job.remediation.target,
    kinds: [],
    containers: [],
    signals: [],
    occurrences: 1,
    firstSeen: job.mergedAt,
    lastSeen: record.decidedAt,
    risk: { score: 1, confidence: 1, type: 'availability', attributions: [] },
  };
}

async function resolve(ctx: PipelineContext, target: Target): Promise<OverlayResolution> {
  return resolveOverlay(ctx.snapshot, target, {
    config: ctx.config,
    cache: ctx.builds,
    ...(ctx.renders ? { shared: ctx.renders } : {}),
    ...(ctx.applications ? { applications: await ctx.applications() } : {}),
    log: ctx.log,
    ...(ctx.kustomize ? { kustomize: ctx.kustomize } : {}),
  });
}

export async function evaluateRevert(
  ctx: PipelineContext,
  job: FollowUpJob,
  record: OutcomeRecord,
): Promise<RevertEvaluated | RevertFinding> {
  if (record.kind !== 'harmful')
    return { kind: 'finding', reason: `outcome ${record.kind} asks for no revert`, files: [] };
  const scoped = await revertScope(ctx, job.mergeSha);
  if (scoped.kind === 'finding') return scoped;
  const { scope } = scoped;
  const resolution = await resolve(ctx, job.remediation.target);
  if (resolution.overlay !== job.remediation.overlay)
    return {
      kind: 'finding',
      reason: `${job.remediation.target.kind}/${job.remediation.target.name} resolves to overlay ${resolution.overlay} now, not ${job.remediation.overlay} where the merge changed it`,
      files: [],
    };
  const namespace = resolution.application.namespace;
  const inverse = await renderedInverse(ctx.repoDir, scope, resolution.overlay, namespace, buildOptions(ctx));
  const params: RevertParams = {
    pull: job.pull,
    url: job.url,
    remediation: job.remediation.id,
    action: job.remediation.action,
    mergeCommit: scope.mergeCommit,
    parentCommit: scope.parentCommit,
    outcome: 'harmful',
    files: scope.files,
    added: scope.added,
    inverse: asDeclared(inverse),
  };
  const t = job.remediation.target;
  const object = { apiVersion: 'apps/v1', kind: t.kind, name: t.name, namespace: t.namespace };
  const merged = await commitTime(ctx.repoDir, scope.mergeCommit);
  const candidate: ActionCandidate = {
    action: REVERT_REMEDIATION,
    params: params as unknown as Record<string, unknown>,
    summary: `revert #${job.pull} (${job.remediation.action} on ${t.kind}/${t.name}), found harmful by its follow-up`,
    rationale: [],
    object,
    effects: revertRemediation.effects(params as unknown as Record<string, unknown>, object),
    releaseAgeSeconds: merged ? Math.max(0, Math.round((ctx.now.getTime() - Date.parse(merged)) / 1000)) : null,
  };
  const built = await buildCommitted(ctx, resolution.overlay);
  const before = placeObjects(built.objects, namespace);
  const kustomizationPath = await findKustomization(ctx, resolution.overlay);
  const view = repoView(ctx, resolution, before, kustomizationPath);
  const files = await revertRemediation.render(candidate, view);
  if (files.length === 0)
    return {
      kind: 'finding',
      reason: `the files #${job.pull} changed already hold their bytes from before it`,
      files: [],
    };
  const added = new Set(scope.added);
  const stray = files.filter((f) => f.after === null && !added.has(f.path)).map((f) => f.path);
  if (stray.length > 0)
    return {
      kind: 'finding',
      reason: `the revert would delete files the merge of #${job.pull} did not add`,
      files: stray,
    };
  const after = placeObjects((await buildChanged(ctx, resolution.overlay, files)).objects, namespace);
  const diff = renderedDiff(before, after);
  try {
    checkDeclaredEffects(diff, candidate.effects);
  } catch (err) {
    if (!(err instanceof CheckError)) throw err;
    return {
      kind: 'finding',
      reason: `restoring the files does not render the inverse of #${job.pull}: ${err.message}`,
      files: files.map((f) => f.path),
    };
  }
  const incident = revertIncident(job, record);
  const input = buildPolicyInput({
    incident,
    plugin: revertRemediation,
    candidate,
    resolution,
    namespaceLabels: namespaceLabels(before, t.namespace),
    diff,
    config: ctx.config,
    now: ctx.now,
    ...(ctx.outcomes ? { outcomes: ctx.outcomes } : {}),
  });
  const decision = ctx.policy.evaluator.evaluate(input);
  return { kind: 'evaluated', incident, resolution, candidate, params, files, diff, input, decision };
}
