/**
 * One field of one rendered object, set in the overlay the way a platform engineer would: the
 * value edited in place where the overlay already sets it (render/in-place.ts), otherwise one
 * patch file salve owns, named as kustomize matches it (render/patch-target.ts), in the form that
 * renders exactly the edit (render/patch-style.ts), listed under `patches:`.
 */
import { posix } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../model/errors.ts';
import type { FileChange } from '../model/index.ts';
import type { K8sObject } from '../model/remediation.ts';
import { editInPlace } from './in-place.ts';
import { inOverlay, type OverlayRepo, overlayTransforms } from './overlay.ts';
import { strategicMergePatch } from './patch-file.ts';
import { type ContainerSlot, containerSlot, patchStyle } from './patch-style.ts';
import { type PatchIdentity, patchIdentity } from './patch-target.ts';
import { ensurePatchEntry } from './patches.ts';
import { prePatchOf } from './pre-patch.ts';

export interface FieldEdit {
  /** The action: names salve's patch file. */
  action: string;
  /** The object as rendered (placed). */
  object: K8sObject;
  /** The field is in this container of the object's pod template. */
  container?: string;
  /** Keys under the container, or under the object when there is no container (`['spec', 'maxReplicas']`). */
  field: readonly string[];
  value: unknown;
  /** First lines of a new patch file, as `#` comments. */
  header: string;
}

/** Where the field lives in the object, as keys (`spec/template/spec/containers/1/resources/...`). */
export interface FieldLocation {
  identity: PatchIdentity;
  /** The object as the overlay's patches see it (labels for their selectors). */
  prePatch: K8sObject;
  /** Every object the overlay's patches see: a patch whose target selects more than ours is shared. */
  siblings: readonly K8sObject[];
  slot: ContainerSlot | null;
  /** JSON pointer segments from the object root, the container addressed by index. */
  pointer: string[];
}

function nest(keys: readonly string[], value: unknown): Record<string, unknown> {
  return keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function commentLines(header: string): string {
  return header
    .split(/\r?\n/)
    .map((l) => (l.trim() ? `# ${l}` : '#'))
    .join('\n');
}

export function patchFilePath(overlay: string, action: string, object: K8sObject): string {
  return inOverlay(overlay, `salve/${action}-${object.kind.toLowerCase()}-${object.metadata.name}.yaml`);
}

/** The patch file salve writes and the target its `patches:` entry needs (JSON6902 only). */
function newPatch(
  edit: FieldEdit,
  at: FieldLocation,
): { text: string; target?: Parameters<typeof ensurePatchEntry>[3] } {
  const { identity, slot } = at;
  if (patchStyle(edit.object, slot) === 'strategic-merge') {
    const spec = slot
      ? { template: { spec: { [slot.list]: [{ name: slot.name, ...nest(edit.field, edit.value) }] } } }
      : (nest(edit.field.slice(1), edit.value) as Record<string, unknown>);
    return { text: strategicMergePatch({ ...identity, spec }, edit.header) };
  }
  const path = `/${at.pointer.map(escapePointer).join('/')}`;
  const ops: unknown[] = [];
  // The container is addressed by position: the test makes kustomize fail loudly if it moved.
  if (slot) ops.push({ op: 'test', path: `/spec/template/spec/${slot.list}/${slot.index}/name`, value: slot.name });
  ops.push({ op: 'replace', path, value: edit.value });
  const [group, version] = identity.apiVersion.includes('/')
    ? identity.apiVersion.split('/')
    : ['', identity.apiVersion];
  const target = {
    ...(group ? { group } : {}),
    ...(version ? { version } : {}),
    kind: identity.kind,
    name: identity.name,
    ...(identity.namespace ? { namespace: identity.namespace } : {}),
  };
  return {
    text: `${commentLines(edit.header)}\n${stringify(ops, { indent: 2, indentSeq: true, lineWidth: 0 })}`,
    target,
  };
}

export async function locateField(repo: OverlayRepo, kustomization: string, edit: FieldEdit): Promise<FieldLocation> {
  const objects = await prePatchOf(repo);
  const identity = patchIdentity(
    edit.object,
    objects,
    overlayTransforms(kustomization),
    repo.resolution.application.namespace,
    repo.kustomizationPath,
  );
  const prePatch =
    objects.find(
      (o) =>
        o.kind === identity.kind &&
        o.metadata.name === identity.name &&
        (o.metadata.namespace ?? undefined) === identity.namespace,
    ) ?? edit.object;
  if (edit.container === undefined) {
    return { identity, prePatch, siblings: objects, slot: null, pointer: [...edit.field] };
  }
  const slot = containerSlot(edit.object, edit.container);
  if (!slot) {
    throw new InputError(
      `${edit.object.kind}/${edit.object.metadata.name} has no container ${edit.container} in its pod template`,
    );
  }
  return {
    identity,
    prePatch,
    siblings: objects,
    slot,
    pointer: ['spec', 'template', 'spec', slot.list, String(slot.index), ...edit.field],
  };
}

export async function editField(repo: OverlayRepo, edit: FieldEdit): Promise<FileChange[]> {
  const kustomization = await repo.readFile(repo.kustomizationPath);
  if (kustomization === null) {
    throw new InputError(`overlay ${repo.resolution.overlay} has no kustomization file at ${repo.kustomizationPath}`);
  }
  const at = await locateField(repo, kustomization, edit);
  const inPlace = await editInPlace(repo, kustomization, edit, at);
  if (inPlace !== null) return inPlace;
  const patchPath = patchFilePath(repo.resolution.overlay, edit.action, edit.object);
  const { text, target } = newPatch(edit, at);
  const relative = posix.relative(posix.dirname(repo.kustomizationPath), patchPath);
  const after = ensurePatchEntry(kustomization, relative, repo.kustomizationPath, target);
  const changes: FileChange[] = [];
  if (after !== kustomization) changes.push({ path: repo.kustomizationPath, before: kustomization, after });
  const before = await repo.readFile(patchPath);
  if (before !== text) changes.push({ path: patchPath, before, after: text });
  return changes;
}
