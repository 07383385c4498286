/** render: edits to a kustomization and the patch files salve writes (Rollouts live in ./rollouts/). */

export { editField, type FieldEdit } from './field-edit.ts';
export { type ImageOverride, setImage } from './images.ts';
export { type PatchObject, strategicMergePatch } from './patch-file.ts';
export { ensurePatchEntry, type PatchTarget } from './patches.ts';
