/**
 * The exposure stage of planning one remediation: from the plan policy chose to the files that
 * carry it, and from the rendered overlay to the checked `exposure` record the main decision sees.
 */
import { validateArgoRollouts } from '../../check/crd-schema.ts';
import { CheckError } from '../../model/errors.ts';
import type { FileChange, RenderedDiff } from '../../model/index.ts';
import type { Exposure, ExposurePlan } from '../../model/policy.ts';
import type { DeclaredEffect, DeclaredObject, K8sObject } from '../../model/remediation.ts';
import { overlayTransforms } from '../overlay.ts';
import {
  type ExpectedExposure,
  type ExposureTarget,
  expectedExposure,
  exposureProblems,
  exposureRecord,
} from './expected.ts';
import { type ExposureRepo, renderExposureFiles } from './files.ts';
import { splitDiff } from './split.ts';

export interface ExposureStage {
  plan: ExposurePlan;
  expected: ExpectedExposure;
  /** The remediation's files with the exposure's merged in (one entry per path, base `before`). */
  files: FileChange[];
}

interface Effects {
  fields: readonly DeclaredEffect[];
  objects: readonly DeclaredObject[];
}

export function mergeEffects(a: Effects, b: Effects): { fields: DeclaredEffect[]; objects: DeclaredObject[] } {
  return { fields: [...a.fields, ...b.fields], objects: [...a.objects, ...b.objects] };
}

/** null when the target cannot carry the plan (policy then denies: the change has no exposure). */
export async function prepareExposure(
  plan: ExposurePlan,
  base: readonly K8sObject[],
  target: ExposureTarget,
  repo: ExposureRepo,
  remediation: readonly FileChange[],
  header: string,
): Promise<ExposureStage | null> {
  const kustomization = await repo.readFile(repo.kustomizationPath);
  const expected = expectedExposure(plan, base, target, overlayTransforms(kustomization ?? ''));
  if (!expected) return null;
  const pending = new Map(remediation.map((f) => [f.path, f]));
  const view: ExposureRepo = {
    ...repo,
    readFile: async (path) => pending.get(path)?.after ?? (await repo.readFile(path)),
  };
  const exposure = await renderExposureFiles(plan, expected, view, header);
  const files = remediation.map((f) => ({ ...f }));
  for (const change of exposure) {
    const earlier = files.find((f) => f.path === change.path);
    if (earlier) earlier.after = change.after;
    else files.push(change);
  }
  return { plan, expected, files };
}

/**
 * Checks the rendered exposure objects (CRD schemas, unknown fields rejected; content equal to the
 * plan's) and splits the diff: `change` is the remediation's own part, `exposure.change` the rest.
 * Throws CheckError naming every problem.
 */
export async function finishExposure(
  stage: ExposureStage,
  diff: RenderedDiff,
  rendered: readonly K8sObject[],
): Promise<{ change: RenderedDiff; exposure: Exposure }> {
  const problems = [
    ...(await validateArgoRollouts(rendered)).map(
      (p) => `${p.kind}/${p.name} ${p.path}: ${p.message} (Argo Rollouts CRD schema)`,
    ),
    ...exposureProblems(stage.expected, rendered),
  ];
  if (problems.length > 0) {
    throw new CheckError(
      ['the rendered exposure objects are not the plan:', ...problems.map((p) => `  - ${p}`)].join('\n'),
      {
        code: 'exposure-mismatch',
      },
    );
  }
  const { remediation, exposure } = splitDiff(diff, stage.expected.effects);
  return {
    change: remediation,
    exposure: { plan: stage.plan, change: exposure, objects: exposureRecord(stage.expected) },
  };
}
