/**
 * The files that put an exposure plan into an overlay. A Deployment gets a Rollout (workloadRef)
 * and its AnalysisTemplate as a new resource file, plus a `configurations:` entry so the overlay's
 * `replicas:` transformer reaches the Rollout; an existing Rollout gets a patch of its canary steps.
 */
import { posix } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../../model/errors.ts';
import type { FileChange } from '../../model/index.ts';
import { strategicMergePatch } from '../patch-file.ts';
import { ensurePatchEntry } from '../patches.ts';
import type { ExpectedExposure } from './expected.ts';
import { ensureListEntry } from './kustomization.ts';

export interface ExposureRepo {
  overlay: string;
  kustomizationPath: string;
  /** The file as the change leaves it so far (the remediation's edits included); null when absent. */
  readFile(path: string): Promise<string | null>;
}

/** Tells kustomize's `replicas:` transformer where a Rollout keeps its replica count. */
export const ROLLOUT_REPLICAS_CONFIGURATION = `# Managed by salve: lets the replicas: transformer set a Rollout's spec.replicas.
replicas:
  - path: spec/replicas
    create: true
    group: argoproj.io
    kind: Rollout
`;

function inOverlay(overlay: string, file: string): string {
  return overlay === '.' || overlay === '' ? file : `${overlay}/${file}`;
}

function yamlDocs(objects: readonly unknown[], header: string): string {
  const docs = objects.map((o) => stringify(o, { indent: 2, indentSeq: true, lineWidth: 0 }));
  return `# ${header}\n${docs.join('---\n')}`;
}

export async function renderExposureFiles(
  expected: ExpectedExposure,
  repo: ExposureRepo,
  header: string,
): Promise<FileChange[]> {
  const kustomization = await repo.readFile(repo.kustomizationPath);
  if (kustomization === null)
    throw new InputError(`overlay ${repo.overlay} has no kustomization file at ${repo.kustomizationPath}`);
  const dir = posix.dirname(repo.kustomizationPath);
  const relative = (path: string) => posix.relative(dir, path);
  const written = new Map<string, string>();
  let text = kustomization;
  const target = expected.patched?.object.metadata.name ?? expected.added[0]?.metadata.name ?? 'workload';
  if (expected.added.length > 0) {
    const path = inOverlay(repo.overlay, `salve/exposure-${target}.yaml`);
    written.set(path, yamlDocs(expected.added, header));
    text = ensureListEntry(text, 'resources', relative(path), []);
  }
  if (expected.mode === 'takeover') {
    const path = inOverlay(repo.overlay, 'salve/rollout-replicas.yaml');
    written.set(path, ROLLOUT_REPLICAS_CONFIGURATION);
    text = ensureListEntry(text, 'configurations', relative(path), ['resources', 'components']);
  }
  for (const hpa of expected.retargeted) {
    const path = inOverlay(repo.overlay, `salve/exposure-hpa-${hpa.metadata.name}.yaml`);
    const scaleTargetRef = (hpa.spec as { scaleTargetRef: Record<string, unknown> }).scaleTargetRef;
    const patch = { apiVersion: hpa.apiVersion, kind: hpa.kind, name: hpa.metadata.name, spec: { scaleTargetRef } };
    written.set(
      path,
      strategicMergePatch(patch, `${header}\nThe autoscaler scales the Rollout now, not the Deployment it took over.`),
    );
    text = ensurePatchEntry(text, relative(path));
  }
  if (expected.patched) {
    const { object, steps } = expected.patched;
    const path = inOverlay(repo.overlay, `salve/exposure-steps-rollout-${object.metadata.name}.yaml`);
    const patch = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      spec: { strategy: { canary: { steps } } },
    };
    written.set(path, strategicMergePatch(patch, header));
    text = ensurePatchEntry(text, relative(path));
  }
  const changes: FileChange[] = [];
  if (text !== kustomization) changes.push({ path: repo.kustomizationPath, before: kustomization, after: text });
  for (const [path, after] of written) {
    const before = await repo.readFile(path);
    if (before !== after) changes.push({ path, before, after });
  }
  return changes;
}
