/**
 * Writes an action's patch file beside the overlay and references it from the kustomization:
 * strategic merge for built-in kinds, JSON6902 with a target for kinds kustomize has no schema for.
 */
import { posix } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../model/errors.ts';
import type { FileChange } from '../model/index.ts';
import type { K8sObject } from '../model/remediation.ts';
import { ensurePatchEntry, type PatchTarget, strategicMergePatch } from '../render/index.ts';
import type { RepoView } from './types.ts';
import { patchFilePath } from './workload.ts';

/** The patch file and the kustomization entry that applies it, as file changes (none when already there). */
async function writePatchFile(
  repo: RepoView,
  action: string,
  object: K8sObject,
  patch: string,
  target?: PatchTarget,
): Promise<FileChange[]> {
  const patchPath = patchFilePath(repo.resolution.overlay, action, object);
  const kustomizationBefore = await repo.readFile(repo.kustomizationPath);
  if (kustomizationBefore === null) {
    throw new InputError(`overlay ${repo.resolution.overlay} has no kustomization file at ${repo.kustomizationPath}`);
  }
  const relative = posix.relative(posix.dirname(repo.kustomizationPath), patchPath);
  const kustomizationAfter = ensurePatchEntry(kustomizationBefore, relative, repo.kustomizationPath, target);
  const changes: FileChange[] = [];
  if (kustomizationAfter !== kustomizationBefore) {
    changes.push({ path: repo.kustomizationPath, before: kustomizationBefore, after: kustomizationAfter });
  }
  const patchBefore = await repo.readFile(patchPath);
  if (patchBefore !== patch) changes.push({ path: patchPath, before: patchBefore, after: patch });
  return changes;
}

export function writeResourcePatch(
  repo: RepoView,
  action: string,
  object: K8sObject,
  fragment: { spec: Record<string, unknown> },
  header: string,
): Promise<FileChange[]> {
  const patch = strategicMergePatch(
    { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, spec: fragment.spec },
    header,
  );
  return writePatchFile(repo, action, object, patch);
}

/** One JSON6902 operation. */
export interface JsonPatchOp {
  op: 'add' | 'replace';
  path: string;
  value: unknown;
}

/**
 * Kinds kustomize has no schema for (CRDs such as Argo Rollouts) merge lists wholesale under a
 * strategic-merge patch: a container patch would replace every container. They get a JSON6902
 * patch with an explicit target instead.
 */
export function needsJsonPatch(object: K8sObject): boolean {
  const group = object.apiVersion.includes('/') ? (object.apiVersion.split('/')[0] ?? '') : '';
  return group.includes('.') && !group.endsWith('.k8s.io');
}

export function writeJsonPatch(
  repo: RepoView,
  action: string,
  object: K8sObject,
  ops: JsonPatchOp[],
  header: string,
): Promise<FileChange[]> {
  const [group, version] = object.apiVersion.split('/') as [string, string];
  const target = { group, version, kind: object.kind, name: object.metadata.name };
  const comment = header
    .split(/\r?\n/)
    .map((l) => (l.trim() ? `# ${l}` : '#'))
    .join('\n');
  const patch = `${comment}\n${stringify(ops, { indent: 2, indentSeq: true, lineWidth: 0 })}`;
  return writePatchFile(repo, action, object, patch, target);
}
