/**
 * What an exposure plan must look like in the rendered overlay, from the plan and the base render
 * alone: the objects added or the Rollout steps patched, the effects `check` holds the diff to,
 * and a digest of each object's content. The engine and the verifier share it.
 */
import { isDeepStrictEqual } from 'node:util';
import { renderedDiff } from '../../check/rendered-diff.ts';
import type { RenderedDiff } from '../../model/index.ts';
import type { ExposureObject, ExposurePlan } from '../../model/policy.ts';
import type { DeclaredEffect, DeclaredObject, K8sObject } from '../../model/remediation.ts';
import { canonicalJson, sha256Hex } from '../../policy/digest.ts';
import { analysisTemplate, type CanaryStep, canarySteps, rolloutFor } from './objects.ts';

export interface ExposureTarget {
  kind: string;
  name: string;
  namespace?: string;
}

export interface ExpectedExposure {
  /** takeover: a new Rollout references the Deployment; steps: the existing Rollout's steps are replaced. */
  mode: 'takeover' | 'steps';
  /** The workload's namespace as rendered. */
  namespace?: string;
  /** Objects salve adds, as written (kustomize adds the overlay's namespace and labels). */
  added: K8sObject[];
  /** For `steps`: the Rollout and the steps it must carry. */
  patched: { object: K8sObject; steps: CanaryStep[] } | null;
  effects: { fields: DeclaredEffect[]; objects: DeclaredObject[] };
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

/** null when the target cannot be exposed: not rendered, neither Deployment nor canary Rollout. */
export function expectedExposure(
  plan: ExposurePlan,
  base: readonly K8sObject[],
  target: ExposureTarget,
): ExpectedExposure | null {
  const workload = findTarget(base, target);
  if (!workload) return null;
  const template = analysisTemplate(plan, workload.metadata.name);
  const ns = workload.metadata.namespace;
  const declare = (o: K8sObject): DeclaredObject => ({
    op: 'add',
    kind: o.kind,
    name: o.metadata.name,
    ...(ns ? { namespace: ns } : {}),
  });
  if (workload.kind === 'Deployment') {
    const added = [rolloutFor(workload, plan), ...(template ? [template] : [])];
    return {
      mode: 'takeover',
      ...(ns ? { namespace: ns } : {}),
      added,
      patched: null,
      effects: { fields: [], objects: added.map(declare) },
    };
  }
  if (workload.kind !== 'Rollout' || !canaryOf(workload)) return null;
  const steps = canarySteps(plan, workload.metadata.name);
  const fields = renderedDiff([workload], [withSteps(workload, steps)]).fields.map((f) => ({
    kind: f.kind,
    name: f.name,
    ...(f.namespace ? { namespace: f.namespace } : {}),
    path: f.path,
    after: f.after,
  }));
  const added = template ? [template] : [];
  const effects = { fields, objects: added.map(declare) };
  return { mode: 'steps', ...(ns ? { namespace: ns } : {}), added, patched: { object: workload, steps }, effects };
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
