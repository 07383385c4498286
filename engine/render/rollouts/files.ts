/**
 * The files that put an exposure plan into an overlay. A Deployment gets a Rollout (workloadRef)
 * and its AnalysisTemplate as a new resource file, plus a `configurations:` entry so the overlay's
 * `replicas:` transformer reaches the Rollout; an existing Rollout gets a patch of its canary steps.
 * What salve adds is written as the overlay's resources name the workload (render/patch-target.ts),
 * so the overlay's namespace, prefix and suffix make it the Deployment's twin; when the overlay
 * renames, a second `configurations:` entry lets kustomize rename the references too.
 */
import { posix } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../../model/errors.ts';
import type { FileChange } from '../../model/index.ts';
import type { ExposurePlan } from '../../model/policy.ts';
import type { K8sObject } from '../../model/remediation.ts';
import { inOverlay, type OverlayRepo, type OverlayTransforms, overlayTransforms } from '../overlay.ts';
import { strategicMergePatch } from '../patch-file.ts';
import { type PatchIdentity, patchIdentity } from '../patch-target.ts';
import { ensurePatchEntry } from '../patches.ts';
import { prePatchOf } from '../pre-patch.ts';
import type { ExpectedExposure } from './expected.ts';
import { ensureListEntry } from './kustomization.ts';
import { analysisTemplate, canarySteps, exposureNames, rolloutFor } from './objects.ts';

export type ExposureRepo = OverlayRepo;

/** Tells kustomize's `replicas:` transformer where a Rollout keeps its replica count. */
export const ROLLOUT_REPLICAS_CONFIGURATION = `# Managed by salve: lets the replicas: transformer set a Rollout's spec.replicas.
replicas:
  - path: spec/replicas
    create: true
    group: argoproj.io
    kind: Rollout
`;

/** Tells kustomize's name references that a Rollout names its Deployment and AnalysisTemplate. */
export const ROLLOUT_REFERENCES_CONFIGURATION = `# Managed by salve: namePrefix/nameSuffix rename what a Rollout refers to along with it.
nameReference:
  - kind: Deployment
    group: apps
    fieldSpecs:
      - path: spec/workloadRef/name
        group: argoproj.io
        kind: Rollout
  - kind: AnalysisTemplate
    group: argoproj.io
    fieldSpecs:
      - path: spec/strategy/canary/steps/analysis/templates/templateName
        group: argoproj.io
        kind: Rollout
`;

function yamlDocs(objects: readonly unknown[], header: string): string {
  const docs = objects.map((o) => stringify(o, { indent: 2, indentSeq: true, lineWidth: 0 }));
  return `# ${header}\n${docs.join('---\n')}`;
}

/** `object` as the overlay's resources would carry it: the workload's name and namespace at patch time. */
function written(object: K8sObject, name: string, at: PatchIdentity): K8sObject {
  return { ...object, metadata: { name, ...(at.namespace ? { namespace: at.namespace } : {}) } };
}

/** The objects and steps of `expected` as salve writes them (names before the overlay renames them). */
function writtenObjects(plan: ExposurePlan, expected: ExpectedExposure, workload: PatchIdentity, t: OverlayTransforms) {
  const names = exposureNames(workload.name, expected.written.template, expected.workload.metadata.name);
  const deployment = expected.mode === 'takeover' ? expected.workload : null;
  // A template the base already renders as planned (an adopted Rollout's guard rails) is not added again.
  const addsTemplate = expected.added.some((o) => o.kind === 'AnalysisTemplate');
  const template = addsTemplate ? analysisTemplate(plan, names.template) : null;
  const added = [
    ...(deployment ? [written(rolloutFor(deployment, plan, names), workload.name, workload)] : []),
    ...(template ? [written(template, names.template, workload)] : []),
  ];
  const renames = t.namePrefix !== '' || t.nameSuffix !== '';
  return { added, steps: canarySteps(plan, names), renames };
}

export async function renderExposureFiles(
  plan: ExposurePlan,
  expected: ExpectedExposure,
  repo: ExposureRepo,
  header: string,
): Promise<FileChange[]> {
  const kustomization = await repo.readFile(repo.kustomizationPath);
  if (kustomization === null) {
    throw new InputError(`overlay ${repo.resolution.overlay} has no kustomization file at ${repo.kustomizationPath}`);
  }
  const overlay = repo.resolution.overlay;
  const transforms = overlayTransforms(kustomization);
  const prePatch = await prePatchOf(repo);
  const identityOf = (o: K8sObject) =>
    patchIdentity(o, prePatch, transforms, repo.resolution.application.namespace, repo.kustomizationPath);
  const workload = identityOf(expected.workload);
  const out = writtenObjects(plan, expected, workload, transforms);
  const dir = posix.dirname(repo.kustomizationPath);
  const relative = (path: string) => posix.relative(dir, path);
  const files = new Map<string, string>();
  let text = kustomization;
  const target = expected.workload.metadata.name;
  if (out.added.length > 0) {
    const path = inOverlay(overlay, `salve/exposure-${target}.yaml`);
    files.set(path, yamlDocs(out.added, header));
    text = ensureListEntry(text, 'resources', relative(path), []);
  }
  if (expected.mode === 'takeover') {
    const path = inOverlay(overlay, 'salve/rollout-replicas.yaml');
    files.set(path, ROLLOUT_REPLICAS_CONFIGURATION);
    text = ensureListEntry(text, 'configurations', relative(path), ['bases', 'resources', 'components']);
  }
  if (out.renames) {
    const path = inOverlay(overlay, 'salve/rollout-references.yaml');
    files.set(path, ROLLOUT_REFERENCES_CONFIGURATION);
    text = ensureListEntry(text, 'configurations', relative(path), ['bases', 'resources', 'components']);
  }
  for (const hpa of expected.retargeted) {
    const path = inOverlay(overlay, `salve/exposure-hpa-${hpa.metadata.name}.yaml`);
    // Only the kind changes: the name stays the one kustomize keeps in step with the workload's.
    const { apiVersion, kind } = (hpa.spec as { scaleTargetRef: { apiVersion: string; kind: string } }).scaleTargetRef;
    const patch = { ...identityOf(hpa), spec: { scaleTargetRef: { apiVersion, kind } } };
    files.set(
      path,
      strategicMergePatch(patch, `${header}\nThe autoscaler scales the Rollout now, not the Deployment it took over.`),
    );
    text = ensurePatchEntry(text, relative(path));
  }
  if (expected.mode === 'steps') {
    const path = inOverlay(overlay, `salve/exposure-steps-rollout-${target}.yaml`);
    const patch = { ...workload, spec: { strategy: { canary: { steps: out.steps } } } };
    files.set(path, strategicMergePatch(patch, header));
    text = ensurePatchEntry(text, relative(path));
  }
  const changes: FileChange[] = [];
  if (text !== kustomization) changes.push({ path: repo.kustomizationPath, before: kustomization, after: text });
  for (const [path, after] of files) {
    const before = await repo.readFile(path);
    if (before !== after) changes.push({ path, before, after });
  }
  return changes;
}
