/**
 * decide → render → check → govern for one incident: the least disruptive action that renders
 * exactly its declared effects and that policy admits, with its proof signed.
 */
import { posix } from 'node:path';
import { findImageDrift } from '../actions/drift.ts';
import { workloadFacts } from '../actions/facts.ts';
import { actionsFor } from '../actions/registry.ts';
import { rollbackImage } from '../actions/rollback-image/index.ts';
import type { ActionCandidate, ActionPlugin, Declined, RepoView } from '../actions/types.ts';
import { isDeclined } from '../actions/types.ts';
import { findWorkload } from '../actions/workload.ts';
import { placeObjects } from '../check/identity.ts';
import { checkDeclaredEffects, checkNoDeletion, renderedDiff } from '../check/index.ts';
import { InputError, ResolveError } from '../model/errors.ts';
import type { FileChange, Incident, PolicyDecision, RenderedDiff } from '../model/index.ts';
import type { Delivery, PolicyInput } from '../model/policy.ts';
import type { OverlayResolution, PlanResult } from '../model/remediation.ts';
import { keepPrePatch } from '../render/pre-patch.ts';
import {
  type ExposurePlanner,
  exposureTarget,
  findDelivery,
  finishExposure,
  loadExposurePlanner,
  mergeEffects,
  prepareExposure,
} from '../render/rollouts/index.ts';
import {
  imageHistory,
  manifestImageHistory,
  namespaceLabels,
  readFileText,
  resolveOverlay,
  resolvePath,
} from '../repo/index.ts';
import { untraced } from '../telemetry/stages.ts';
import { adoptionFirst, awaitAdoptedRollout } from './adopt.ts';
import { assemble, branchHeads, deniedBy } from './assemble.ts';
import { workloadBranch, workloadOf } from './branch.ts';
import type { PipelineContext } from './context.ts';
import { buildPolicyInput } from './policy-input.ts';
import { buildChanged, buildCommitted, buildDerived, commitOnly } from './shadow.ts';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** What one action is evaluated with: the incident, where it lands, and who rolls it out. */
export interface Situation {
  incident: Incident;
  resolution: OverlayResolution;
  view: RepoView;
  labels: Record<string, string>;
  planner: ExposurePlanner;
  delivery: Delivery;
}

export interface Evaluated {
  plugin: ActionPlugin;
  candidate: ActionCandidate;
  files: FileChange[];
  diff: RenderedDiff;
  input: PolicyInput;
  decision: PolicyDecision;
  /** What render said a reviewer should know about how it wrote the change (Remediation.notes). */
  notes: string[];
}

const NO_CHANGE: RenderedDiff = { fields: [], objects: [] };

export async function findKustomization(ctx: PipelineContext, overlay: string): Promise<string> {
  for (const name of KUSTOMIZATION_FILES) {
    const path = overlay === '.' || overlay === '' ? name : posix.join(overlay, name);
    if ((await resolvePath(ctx.snapshot, path))?.kind === 'file') return path;
  }
  throw new InputError(`overlay ${overlay} has no kustomization file (looked for ${KUSTOMIZATION_FILES.join(', ')})`);
}

export function repoView(
  ctx: PipelineContext,
  resolution: OverlayResolution,
  objects: RepoView['objects'],
  kustomizationPath: string,
): RepoView {
  return {
    dir: ctx.repoDir,
    tree: ctx.snapshot,
    config: ctx.config,
    resolution,
    objects,
    kustomizationPath,
    now: ctx.now,
    // From the commit, never the working tree: what the change's "before" says is what is committed.
    readFile: (path) => readFileText(ctx.snapshot, path),
    imageHistory: (imageName, file = kustomizationPath) =>
      imageHistory(ctx.repoDir, file, imageName, { ref: ctx.baseCommit }),
    manifestImageHistory: (file, at) => manifestImageHistory(ctx.repoDir, file, at, { ref: ctx.baseCommit }),
  };
}

export async function evaluate(
  ctx: PipelineContext,
  situation: Situation,
  plugin: ActionPlugin,
  candidate: ActionCandidate,
): Promise<Evaluated | Declined> {
  const { incident, resolution, view, labels, planner } = situation;
  const stages = ctx.stages ?? untraced;
  const attrs = { 'salve.fingerprint': incident.fingerprint, 'salve.action': plugin.id };
  const notes: string[] = [];
  const own = await stages.run('render', attrs, () =>
    plugin.render(candidate, { ...view, note: (text) => notes.push(text) }),
  );
  if (own.length === 0 && !plugin.changesOnlyExposure)
    return { action: plugin.id, reason: 'the overlay already carries this change' };
  const workload = workloadFacts(view.objects, candidate.object, situation.delivery);
  const inputFor = (diff: RenderedDiff) =>
    buildPolicyInput({
      incident,
      plugin,
      candidate,
      resolution,
      namespaceLabels: labels,
      diff,
      config: ctx.config,
      now: ctx.now,
      workload,
      outcomes: ctx.outcomes,
    });
  // The exposure plan reads neither the change nor the exposure: decided before rendering either.
  const bare = inputFor(NO_CHANGE);
  const plan = planner.plan(bare);
  const stage = plan
    ? await prepareExposure(
        plan,
        view.objects,
        exposureTarget(bare),
        view,
        own,
        `Managed by salve: safe exposure for ${candidate.summary}.`,
      )
    : null;
  const files = stage?.files ?? own;
  if (files.length === 0) return { action: plugin.id, reason: 'the overlay already carries this change' };
  // Checked before anything is built from the change: a remediation never deletes.
  checkNoDeletion(plugin.id, files);
  const built = await stages.run('render', attrs, () => buildChanged(ctx, resolution.overlay, files));
  const after = placeObjects(built.objects, resolution.application.namespace);
  const diff = renderedDiff([...view.objects], after);
  const split = await stages.run('check', attrs, async () => {
    checkDeclaredEffects(diff, stage ? mergeEffects(candidate.effects, stage.expected.effects) : candidate.effects);
    return stage ? await finishExposure(stage, diff, after) : null;
  });
  const input: PolicyInput = split ? { ...inputFor(split.change), exposure: split.exposure } : inputFor(diff);
  const decision = await stages.run('govern', attrs, async (span) => {
    const made = ctx.policy.evaluator.evaluate(input);
    span.annotate({ 'salve.mode': made.mode, 'salve.allowed': made.allowed });
    return made;
  });
  ctx.log.debug(
    { action: plugin.id, mode: decision.mode, allowed: decision.allowed, canary: Boolean(split) },
    'policy decision',
  );
  return { plugin, candidate, files, diff, input, decision, notes };
}

/**
 * Resolves the incident's owner to one overlay. A pod name says "ReplicaSet of something": a
 * Deployment by convention, but an Argo Rollout's ReplicaSets are named the same way, so a
 * Deployment no overlay renders is looked for as a Rollout before giving up.
 */
async function resolveIncident(
  incident: Incident,
  ctx: PipelineContext,
): Promise<{ incident: Incident; resolution: OverlayResolution }> {
  const resolveCtx = {
    config: ctx.config,
    cache: ctx.builds,
    ...(ctx.renders ? { shared: ctx.renders } : {}),
    ...(ctx.overlayNames ? { names: ctx.overlayNames } : {}),
    ...(ctx.commitNames ? { commitNames: ctx.commitNames } : {}),
    ...(ctx.applications ? { applications: await ctx.applications() } : {}),
    log: ctx.log,
    ...(ctx.kustomize ? { kustomize: ctx.kustomize } : {}),
  };
  try {
    return { incident, resolution: await resolveOverlay(ctx.snapshot, incident.target, resolveCtx) };
  } catch (err) {
    if (!(err instanceof ResolveError) || err.code !== 'unresolved-target' || incident.target.kind !== 'Deployment')
      throw err;
    const target = { ...incident.target, kind: 'Rollout' };
    try {
      return { incident: { ...incident, target }, resolution: await resolveOverlay(ctx.snapshot, target, resolveCtx) };
    } catch {
      throw err;
    }
  }
}

/** resolveIncident, once per commit and target when what the commit renders depends on it alone. */
async function resolveKept(
  incident: Incident,
  ctx: PipelineContext,
): Promise<{ incident: Incident; resolution: OverlayResolution }> {
  const memo = commitOnly(ctx);
  if (!memo) return resolveIncident(incident, ctx);
  const found = await memo.once(`resolve\0${JSON.stringify(incident.target)}`, async () => {
    const resolved = await resolveIncident(incident, ctx);
    return { kind: resolved.incident.target.kind, resolution: resolved.resolution };
  });
  // Shared between runs: each gets its own copy.
  const resolution = structuredClone(found.resolution);
  if (found.kind === incident.target.kind) return { incident, resolution };
  return { incident: { ...incident, target: { ...incident.target, kind: found.kind } }, resolution };
}

/** The bundle's exposure planner, instantiated once per commit when the context keeps a memo. */
function exposurePlanner(ctx: PipelineContext): Promise<ExposurePlanner> {
  const load = () => loadExposurePlanner(ctx.policy.bundle);
  return ctx.memo ? ctx.memo.once(`exposure-planner\0${ctx.policy.bundle.digest}`, load) : load();
}

export async function planIncident(detected: Incident, ctx: PipelineContext): Promise<PlanResult> {
  const plugins = actionsFor(detected.kinds);
  if (plugins.length === 0) return { kind: 'none', reason: `no action handles ${detected.kinds.join(', ')}` };
  const { incident, resolution } = await resolveKept(detected, ctx);
  const built = await buildCommitted(ctx, resolution.overlay);
  // One identity rule (check/identity.ts): namespace-less objects are in the Application's namespace.
  const before = { objects: placeObjects(built.objects, resolution.application.namespace) };
  const kustomizationPath = await findKustomization(ctx, resolution.overlay);
  const base = repoView(ctx, resolution, before.objects, kustomizationPath);
  // What the overlay's patches see is built once per plan (once per commit with a memo), for every
  // candidate and its exposure.
  const prePatch = keepPrePatch(base, (changes) => buildDerived(ctx, resolution.overlay, changes));
  const memo = commitOnly(ctx);
  const view: RepoView = {
    ...base,
    prePatch: memo ? () => memo.once(`pre-patch\0${resolution.overlay}\0${kustomizationPath}`, prePatch) : prePatch,
  };

  const rendered = findWorkload(before.objects, incident);
  // A failing image git does not render: for a crash loop or a pull failure, the image is the
  // suspect and git is not what runs, so the finding is the outcome. For other failures (an OOM
  // on pods of a rollout still in progress, say) the change still applies; the PR says what runs.
  const drift = rendered ? await findImageDrift(incident, rendered, view) : null;
  if (drift && incident.kinds.some((k) => rollbackImage.handles.includes(k))) return { kind: 'drift', incident, drift };
  const driftNote = drift
    ? [
        `Note: container ${drift.target.container} runs ${drift.failingImage} (${drift.evidenceSource}), while git renders ${drift.renderedImage} (${drift.gitSetsItIn}): a rollout in progress, or drift from git. This change applies to what git renders.`,
      ]
    : [];

  const delivery = await findDelivery(ctx.snapshot, before.objects, incident.target, ctx.memo);
  const waiting = await awaitAdoptedRollout(ctx, incident, delivery);
  if (waiting) return waiting;
  const situation: Situation = {
    incident,
    resolution,
    view,
    labels: namespaceLabels(before.objects, incident.target.namespace),
    planner: await exposurePlanner(ctx),
    delivery,
  };

  // The workload's branch is read from the checkout while kustomize builds the change.
  const heads = branchHeads(ctx);
  const workload = workloadOf(incident.target, before.objects);
  void heads(workloadBranch(workload));
  const declined: Declined[] = [];
  const denied: Evaluated[] = [];
  let chosen: Evaluated | null = null;
  for (const plugin of plugins) {
    const proposal = await plugin.propose(incident, view);
    if (isDeclined(proposal)) {
      declined.push(proposal);
      continue;
    }
    const result = await evaluate(ctx, situation, plugin, proposal);
    if ('reason' in result && !('decision' in result)) {
      declined.push(result);
      continue;
    }
    const evaluated = result as Evaluated;
    if (evaluated.decision.allowed) {
      chosen = evaluated;
      break;
    }
    denied.push(evaluated);
  }
  const picked = chosen ?? denied[0];
  if (!picked) {
    return { kind: 'none', reason: declined.map((d) => `${d.action}: ${d.reason}`).join('; ') };
  }
  const rationale = [
    ...picked.candidate.rationale,
    ...driftNote,
    ...declined.map((d) => `Not ${d.action}: ${d.reason}.`),
    ...denied.filter((d) => d !== picked).map((d) => `Not ${d.plugin.id}: denied by ${deniedBy(d.decision)}.`),
  ];
  if (chosen) {
    const adoption = await adoptionFirst(ctx, situation, chosen, evaluate);
    if (adoption.kind === 'adopt')
      return assemble(ctx, incident, resolution, adoption.evaluated, adoption.rationale, incident.target, heads);
    rationale.push(...adoption.notes);
  }
  if (delivery.controller === 'argo-rollouts' && delivery.source === 'overlay' && incident.target.kind === 'Deployment')
    rationale.push(...(await liveNote(ctx, incident, delivery)));
  return assemble(ctx, incident, resolution, picked, rationale, workload, heads);
}

async function liveNote(ctx: PipelineContext, incident: Incident, delivery: Delivery): Promise<string[]> {
  const blueGreen = delivery.strategy === 'blueGreen';
  const how = blueGreen ? 'releases this change blue/green' : 'canaries this change';
  if (ctx.rollouts) return [`Rollout ${delivery.name} runs the Deployment's pods in the cluster: it ${how}.`];
  return [
    `Rollout ${delivery.name} (workloadRef) ${how}. salve has no cluster access here to confirm it already runs ${incident.target.name}'s pods: if its takeover has not synced yet, this change rides its first revision, which skips ${blueGreen ? 'the preview and promotion' : 'the canary steps'}.`,
  ];
}
