/** Writes an action's strategic-merge patch beside the overlay and references it from the kustomization. */
import { posix } from 'node:path';
import type { FileChange } from '../model/index.ts';
import { InputError } from '../model/errors.ts';
import type { K8sObject } from '../model/remediation.ts';
import { ensurePatchEntry, strategicMergePatch } from '../render/index.ts';
import type { RepoView } from './types.ts';
import { patchFilePath } from './workload.ts';

export async function writeResourcePatch(
  repo: RepoView,
  action: string,
  object: K8sObject,
  fragment: Record<string, unknown>,
  header: string,
): Promise<FileChange[]> {
  const patchPath = patchFilePath(repo.resolution.overlay, action, object);
  const kustomizationBefore = await repo.readFile(repo.kustomizationPath);
  if (kustomizationBefore === null) {
    throw new InputError(`overlay ${repo.resolution.overlay} has no kustomization file at ${repo.kustomizationPath}`);
  }
  const relative = posix.relative(posix.dirname(repo.kustomizationPath), patchPath);
  const kustomizationAfter = ensurePatchEntry(kustomizationBefore, relative);
  const patch = strategicMergePatch(
    { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, spec: fragment.spec as Record<string, unknown> },
    header,
  );
  const changes: FileChange[] = [];
  if (kustomizationAfter !== kustomizationBefore) {
    changes.push({ path: repo.kustomizationPath, before: kustomizationBefore, after: kustomizationAfter });
  }
  const patchBefore = await repo.readFile(patchPath);
  if (patchBefore !== patch) changes.push({ path: patchPath, before: patchBefore, after: patch });
  return changes;
}
