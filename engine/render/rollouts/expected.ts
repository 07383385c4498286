/**
 * What an exposure plan must look like in the rendered overlay, from the plan and the base render
 * alone: the objects added or the Rollout steps patched, the effects `check` holds the diff to,
 * and a digest of each object's content. The engine and the verifier share it.
 */
import { isDeepStrictEqual } from 'node:util';
import { renderedDiff } from '../../check/rendered-diff.ts';
import type { RenderedDiff } from '../../model/index.ts';
import type { ExposureObject, ExposurePlan, PolicyInput } from '../../model/policy.ts';
import type { DeclaredEffect, DeclaredObject, K8sObject } from '../../model/remediation.ts';
import { canonicalJson, sha256Hex } from '../../policy/digest.ts';
import { type NameAffixes, renamed } from '../overlay.ts';
import { analysisTemplate, type CanaryStep, canarySteps, exposureNames, rolloutFor, templateName } from './objects.ts';

export interface ExposureTarget {
  kind: string;
  name: string;
  namespace?: string | undefined;
}

export interface ExpectedExposure {
  /** takeover: a new Rollout references the Deployment; steps: the existing Rollout's steps are replaced. */
  mode: 'takeover' | 'steps';
  /** The workload's namespace as rendered. */
  namespace?: string;
  /** The workload as rendered at the base commit. */
  workload: K8sObject;
  /** Objects salve adds, as written (kustomize adds the overlay's namespace and labels). */
  added: K8sObject[];
  /** For `steps`: the Rollout and the steps it must carry. */
  patched: { object: K8sObject; steps: CanaryStep[] } | null;
  /**
   * For `takeover`: autoscalers that scaled the Deployment, as they must be rendered, pointing at
   * the Rollout. Left on the Deployment they would fight Argo Rollouts scaling it down, and the
   * Rollout would not scale with load.
   */
  retargeted: K8sObject[];
  effects: { fields: DeclaredEffect[]; objects: DeclaredObject[] };
  /**
   * Names as written into the overlay, before its namePrefix/nameSuffix: the workload's (which the
   * Rollout takes) and the AnalysisTemplate's. Equal to the rendered ones when the overlay renames nothing.
   */
  written: { workload: string; template: string };
}

const NO_AFFIXES: NameAffixes = { namePrefix: '', nameSuffix: '' };

/** The name an object renders as `name` has in the overlay's resources (its prefix and suffix taken off). */
export function unrenamed(name: string, affixes: NameAffixes): string {
  const { namePrefix, nameSuffix } = affixes;
  if (name.length < namePrefix.length + nameSuffix.length) return name;
  if (!name.startsWith(namePrefix) || !name.endsWith(nameSuffix)) return name;
  return name.slice(namePrefix.length, name.length - nameSuffix.length);
}

/**
 * What carries a remediation's canary: the target itself, or the Rollout of the same overlay whose
 * workloadRef runs the target Deployment (its steps then canary the Deployment's new template).
 * From the policy input alone, so the verifier finds the same object the engine did.
 */
export function exposureTarget(input: Pick<PolicyInput, 'target' | 'workload'>): ExposureTarget {
  const { target } = input;
  const delivery = input.workload?.delivery;
  if (
    target.kind === 'Deployment' &&
    delivery?.controller === 'argo-rollouts' &&
    delivery.source === 'overlay' &&
    delivery.name
  ) {
    return { kind: 'Rollout', name: delivery.name, namespace: target.namespace };
  }
  return { kind: target.kind, name: target.name, namespace: target.namespace };
}

function findTarget(objects: readonly K8sObject[], target: ExposureTarget): K8sObject | undefined {
  return objects.find(
    (o) =>
      o.kind === target.kind &&
      o.metadata.name === target.name &&
      (target.namespace === undefined ||
        o.metadata.namespace === undefined ||
        o.metadata.namespace === target.namespace),
  );
}

function canaryOf(rollout: K8sObject): Record<string, unknown> | null {
  const strategy = (rollout.spec as { strategy?: { canary?: Record<string, unknown> } } | undefined)?.strategy;
  return strategy?.canary ?? null;
}

function withSteps(rollout: K8sObject, steps: CanaryStep[]): K8sObject {
  const spec = rollout.spec as Record<string, unknown> & { strategy: { canary: Record<string, unknown> } };
  return { ...rollout, spec: { ...spec, strategy: { ...spec.strategy, canary: { ...spec.strategy.canary, steps } } } };
}

/**
 * null when the target cannot be exposed: not rendered, neither Deployment nor canary Rollout.
 * `affixes`: the overlay's own namePrefix/nameSuffix, which kustomize also gives what salve adds.
 */
export function expectedExposure(
  plan: ExposurePlan,
  base: readonly K8sObject[],
  target: ExposureTarget,
  affixes: NameAffixes = NO_AFFIXES,
): ExpectedExposure | null {
  const workload = findTarget(base, target);
  if (!workload) return null;
  const rendered = workload.metadata.name;
  const written = { workload: unrenamed(rendered, affixes), template: '' };
  written.template = templateName(written.workload);
  const names = exposureNames(rendered, renamed(written.template, affixes), rendered);
  const template = analysisTemplate(plan, names.template);
  const ns = workload.metadata.namespace;
  const declare = (o: K8sObject): DeclaredObject => ({
    op: 'add',
    kind: o.kind,
    name: o.metadata.name,
    ...(ns ? { namespace: ns } : {}),
  });
  if (workload.kind === 'Deployment') {
    const added = [rolloutFor(workload, plan, names), ...(template ? [template] : [])];
    const autoscalers = autoscalersOf(base, workload);
    const retargeted = autoscalers.map(retarget);
    const fields = autoscalers.flatMap((hpa, i) => declareFields(hpa, retargeted[i] as K8sObject));
    return {
      mode: 'takeover',
      ...(ns ? { namespace: ns } : {}),
      workload,
      added,
      patched: null,
      retargeted,
      effects: { fields, objects: added.map(declare) },
      written,
    };
  }
  if (workload.kind !== 'Rollout' || !canaryOf(workload)) return null;
  const steps = canarySteps(plan, names);
  const fields = declareFields(workload, withSteps(workload, steps));
  // A Rollout salve adopted already renders these guard rails: nothing to add again.
  const present = template && findTarget(base, { kind: template.kind, name: template.metadata.name, namespace: ns });
  const added = template && !(present && isDeepStrictEqual(present.spec, template.spec)) ? [template] : [];
  const effects = { fields, objects: added.map(declare) };
  return {
    mode: 'steps',
    ...(ns ? { namespace: ns } : {}),
    workload,
    added,
    patched: { object: workload, steps },
    retargeted: [],
    effects,
    written,
  };
}

/** The changed fields between two versions of one object, as declared effects. */
function declareFields(before: K8sObject, after: K8sObject): DeclaredEffect[] {
  return renderedDiff([before], [after]).fields.map((f) => ({
    kind: f.kind,
    name: f.name,
    ...(f.namespace ? { namespace: f.namespace } : {}),
    path: f.path,
    after: f.after,
  }));
}

type ScaleTargetRef = { apiVersion?: string; kind?: string; name?: string };

function scaleTargetOf(hpa: K8sObject): ScaleTargetRef | undefined {
  return (hpa.spec as { scaleTargetRef?: ScaleTargetRef } | undefined)?.scaleTargetRef;
}

/** HorizontalPodAutoscalers in the render that scale this Deployment. */
export function autoscalersOf(objects: readonly K8sObject[], deployment: K8sObject): K8sObject[] {
  return objects.filter((o) => {
    const ref = scaleTargetOf(o);
    return (
      o.kind === 'HorizontalPodAutoscaler' &&
      ref?.kind === 'Deployment' &&
      ref.name === deployment.metadata.name &&
      o.metadata.namespace === deployment.metadata.namespace
    );
  });
}

export const ROLLOUT_SCALE_TARGET = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' } as const;

function retarget(hpa: K8sObject): K8sObject {
  const spec = hpa.spec as Record<string, unknown>;
  const ref = scaleTargetOf(hpa) ?? {};
  return { ...hpa, spec: { ...spec, scaleTargetRef: { ...ref, ...ROLLOUT_SCALE_TARGET } } };
}

const digest = (value: unknown) => sha256Hex(canonicalJson(value));

function stepsOf(rollout: K8sObject | undefined): unknown {
  return rollout ? (canaryOf(rollout)?.steps ?? null) : null;
}

/** The exposure objects as the proof records them: expected content digests, rendered identities. */
export function exposureRecord(expected: ExpectedExposure): ExposureObject[] {
  const out: ExposureObject[] = expected.added.map((o) => ({
    op: 'add',
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    ...(expected.namespace ? { namespace: expected.namespace } : {}),
    specSha256: digest(o.spec),
  }));
  for (const hpa of expected.retargeted) {
    out.push({
      op: 'patch',
      apiVersion: hpa.apiVersion,
      kind: hpa.kind,
      name: hpa.metadata.name,
      ...(hpa.metadata.namespace ? { namespace: hpa.metadata.namespace } : {}),
      specSha256: digest(scaleTargetOf(hpa)),
    });
  }
  if (expected.patched) {
    const { object, steps } = expected.patched;
    out.push({
      op: 'patch',
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
      specSha256: digest(steps),
    });
  }
  return out;
}

/** Where the rendered overlay differs from the expected exposure objects; [] when it matches. */
export function exposureProblems(expected: ExpectedExposure, rendered: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const want of expected.added) {
    const got = findTarget(rendered, { kind: want.kind, name: want.metadata.name });
    if (!got) {
      problems.push(`${want.kind}/${want.metadata.name}: not rendered`);
      continue;
    }
    if (isDeepStrictEqual(got.spec, want.spec)) continue;
    const diff = renderedDiff([{ ...want, metadata: got.metadata }], [got]);
    problems.push(...describeFields(diff, 'differs from the exposure plan'));
  }
  for (const want of expected.retargeted) {
    const got = findTarget(rendered, { kind: want.kind, name: want.metadata.name });
    const actual = got ? scaleTargetOf(got) : undefined;
    if (!isDeepStrictEqual(actual, scaleTargetOf(want))) {
      problems.push(
        `${want.kind}/${want.metadata.name} /spec/scaleTargetRef: rendered ${JSON.stringify(actual ?? null)}, the plan gives ${JSON.stringify(scaleTargetOf(want))}`,
      );
    }
  }
  if (expected.patched) {
    const { object, steps } = expected.patched;
    const got = findTarget(rendered, { kind: object.kind, name: object.metadata.name });
    const actual = stepsOf(got);
    if (!isDeepStrictEqual(actual, steps)) {
      problems.push(
        `${object.kind}/${object.metadata.name} /spec/strategy/canary/steps: rendered ${JSON.stringify(actual)}, the plan gives ${JSON.stringify(steps)}`,
      );
    }
  }
  return problems;
}

function describeFields(diff: RenderedDiff, what: string): string[] {
  return diff.fields.map(
    (f) =>
      `${f.kind}/${f.name} ${f.path} ${what}: rendered ${JSON.stringify(f.after)}, the plan gives ${JSON.stringify(f.before)}`,
  );
}
