/**
 * Progressive delivery around a fix. A plain Deployment is never migrated inside a fix: without
 * opt-in the fix ships directly; with `rollouts.adopt` the adoption of Argo Rollouts is proposed
 * first, as its own PR, and the fix follows once the Rollout is live (the Rollout canaries it).
 */
import { ADOPT_ARGO_ROLLOUTS, adoptArgoRollouts } from '../actions/adopt-argo-rollouts/index.ts';
import { isDeclined } from '../actions/types.ts';
import type { Incident } from '../model/index.ts';
import type { Delivery, PolicyInput } from '../model/policy.ts';
import type { PlanResult } from '../model/remediation.ts';
import type { PipelineContext } from './context.ts';
import type { Evaluated, evaluate, Situation } from './plan.ts';

/** A fix to a Deployment whose Rollout (workloadRef) is not live yet waits: it would skip the steps. */
export async function awaitAdoptedRollout(
  ctx: PipelineContext,
  incident: Incident,
  delivery: Delivery,
): Promise<PlanResult | null> {
  if (!ctx.rollouts || incident.target.kind !== 'Deployment') return null;
  if (delivery.controller !== 'argo-rollouts' || delivery.source !== 'overlay' || !delivery.name) return null;
  const { cluster, namespace } = incident.target;
  const status = await ctx.rollouts.status({ cluster, namespace, name: delivery.name });
  if (status !== 'pending') return null;
  return {
    kind: 'none',
    reason: `Rollout ${namespace}/${delivery.name} took over Deployment/${incident.target.name} in git but is not live in ${cluster} yet: the fix waits for it, since a Rollout's first revision skips its canary steps`,
  };
}

/** Would the fix ship as a canary if the Deployment were under an Argo Rollout of its overlay? */
function deservesCanary(situation: Situation, fix: Evaluated): boolean {
  const name = fix.candidate.object.name;
  const { exposure: _exposure, ...input } = fix.input;
  const workload = input.workload;
  if (!workload) return false;
  const hypothetical: PolicyInput = {
    ...input,
    change: { fields: [], objects: [] },
    workload: { ...workload, delivery: { controller: 'argo-rollouts', kind: 'Rollout', name, source: 'overlay' } },
  };
  return situation.planner.plan(hypothetical) !== null;
}

export type AdoptionOutcome =
  | { kind: 'adopt'; evaluated: Evaluated; rationale: string[] }
  | { kind: 'fix'; notes: string[] };

/** `evaluateAction` is the planner's own evaluation (passed in: plan.ts calls this module). */
export async function adoptionFirst(
  ctx: PipelineContext,
  situation: Situation,
  fix: Evaluated,
  evaluateAction: typeof evaluate,
): Promise<AdoptionOutcome> {
  const { delivery, incident, view } = situation;
  if (delivery.controller !== 'none' || fix.candidate.object.kind !== 'Deployment') return { kind: 'fix', notes: [] };
  if (!deservesCanary(situation, fix)) return { kind: 'fix', notes: [] };
  const ref = `Deployment/${fix.candidate.object.name}`;
  if (!ctx.config.rollouts.adopt) {
    return {
      kind: 'fix',
      notes: [
        `${ref} has no progressive delivery, and salve does not migrate it inside a fix: this change rolls out as the Deployment's own rolling update, and salve's follow-up proposes a revert if the SLOs breach after the sync. With rollouts.adopt: true in .salve.yaml, salve would first propose adopting Argo Rollouts, as its own PR, so that fixes like this one ship as canaries.`,
      ],
    };
  }
  const proposal = await adoptArgoRollouts.propose(incident, view);
  if (isDeclined(proposal)) return { kind: 'fix', notes: [`Not ${ADOPT_ARGO_ROLLOUTS} first: ${proposal.reason}.`] };
  const result = await evaluateAction(ctx, situation, adoptArgoRollouts, proposal);
  if (!('decision' in result)) return { kind: 'fix', notes: [`Not ${ADOPT_ARGO_ROLLOUTS} first: ${result.reason}.`] };
  const { decision } = result;
  if (!decision.allowed || decision.mode === 'observe') {
    const why = decision.rules
      .filter((r) => r.effect === 'deny' || r.effect === 'advisory')
      .map((r) => r.id)
      .join(', ');
    return {
      kind: 'fix',
      notes: [
        `Not ${ADOPT_ARGO_ROLLOUTS} first: policy ${decision.allowed ? 'only observes it' : 'denies it'} (${why}).`,
      ],
    };
  }
  return {
    kind: 'adopt',
    evaluated: result,
    rationale: [
      ...proposal.rationale,
      `.salve.yaml opts in to adopting Argo Rollouts (rollouts.adopt), and the fix salve would propose for the incident (${fix.candidate.summary}) deserves a canary: this PR comes first. Once the Rollout is live, salve opens the fix as a second PR, and the Rollout canaries it.`,
    ],
  };
}
