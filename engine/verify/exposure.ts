/**
 * Re-checks a remediation's canary against its proof: the plan policy decides now (on the proof's
 * input) must be the plan the proof recorded, the objects that plan stands for must be the ones
 * recorded, and the Rollout/AnalysisTemplate actually rendered on the branch must be those objects
 * (steps, weights, pauses, analysis args and queries).
 */

import type { RenderedDiff } from '../model/index.ts';
import type { Proof } from '../model/policy.ts';
import type { DeclaredEffect, DeclaredObject, K8sObject } from '../model/remediation.ts';
import type { PolicyBundle } from '../policy/bundle.ts';
import { canonicalJson } from '../policy/digest.ts';
import type { NameAffixes } from '../render/overlay.ts';
import {
  expectedExposure,
  exposureProblems,
  exposureRecord,
  exposureTarget,
  joinDiffs,
  loadExposurePlanner,
} from '../render/rollouts/index.ts';

export interface ExposureCheck {
  /** The whole rendered diff the proof stands for, in canonical order. */
  recorded: RenderedDiff;
  /** Effects the exposure declares, to add to the action's. */
  effects: { fields: DeclaredEffect[]; objects: DeclaredObject[] };
  problems: string[];
}

export async function checkExposure(
  proof: Proof,
  bundle: PolicyBundle,
  before: readonly K8sObject[],
  after: readonly K8sObject[],
  affixes: NameAffixes = { namePrefix: '', nameSuffix: '' },
): Promise<ExposureCheck> {
  const recordedExposure = proof.input.exposure;
  const recorded = joinDiffs(proof.input.change, recordedExposure?.change ?? { fields: [], objects: [] });
  const none: ExposureCheck = { recorded, effects: { fields: [], objects: [] }, problems: [] };
  const plan = (await loadExposurePlanner(bundle)).plan(proof.input);
  if (!plan && !recordedExposure) return none;
  if (!plan) return { ...none, problems: ['the proof records an exposure plan, and policy asks for none'] };
  if (!recordedExposure)
    return { ...none, problems: [`policy asks for a canary (${plan.reason}), and the proof records none`] };
  const problems: string[] = [];
  if (canonicalJson(plan) !== canonicalJson(recordedExposure.plan)) {
    problems.push(
      `exposure plan in the proof differs from the one policy decides: recorded ${JSON.stringify(recordedExposure.plan.steps)}, decided ${JSON.stringify(plan.steps)}`,
    );
  }
  const t = proof.input.target;
  const expected = expectedExposure(plan, before, exposureTarget(proof.input), affixes);
  if (!expected)
    return { ...none, problems: [...problems, `${t.kind}/${t.name} at the base commit cannot carry a canary`] };
  if (canonicalJson(exposureRecord(expected)) !== canonicalJson(recordedExposure.objects)) {
    problems.push('exposure objects recorded in the proof are not the ones the plan stands for');
  }
  problems.push(...exposureProblems(expected, after));
  return { recorded, effects: expected.effects, problems };
}
