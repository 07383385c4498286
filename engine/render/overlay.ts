/**
 * What render needs of the overlay it edits, and the overlay's own transforms that kustomize
 * applies after its patches (`namespace:`, `namePrefix:`, `nameSuffix:`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { K8sObject } from '../model/remediation.ts';
import { KUSTOMIZATION_FILES } from '../repo/overlay-inputs.ts';

export interface OverlayRepo {
  /** Absolute path of the config repo checkout. */
  readonly dir: string;
  readonly resolution: { readonly overlay: string; readonly application: { readonly namespace: string } };
  /** The overlay rendered at the base commit, namespace-less objects placed (check/identity.ts). */
  readonly objects: readonly K8sObject[];
  /** Repo-relative path of the overlay's kustomization file. */
  readonly kustomizationPath: string;
  /** The file as the change leaves it so far; null when absent. */
  readFile(path: string): Promise<string | null>;
  /** Hears what a reviewer should know about how the change was written (Remediation.notes). */
  note?(text: string): void;
  /** The objects the overlay's patches see (render/pre-patch.ts), when the caller keeps them; built otherwise. */
  prePatch?(): Promise<readonly K8sObject[]>;
}

/** The overlay's own namePrefix and nameSuffix ('' when it sets none). */
export interface NameAffixes {
  namePrefix: string;
  nameSuffix: string;
}

export interface OverlayTransforms extends NameAffixes {
  namespace: string | null;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

export function overlayTransforms(kustomization: string): OverlayTransforms {
  const doc = (parseDocument(kustomization).toJS() ?? {}) as Record<string, unknown>;
  const namespace = text(doc.namespace);
  return { namespace: namespace || null, namePrefix: text(doc.namePrefix), nameSuffix: text(doc.nameSuffix) };
}

/** The name kustomize gives an object this overlay adds as `name` (its prefix and suffix applied). */
export function renamed(name: string, t: NameAffixes): string {
  return `${t.namePrefix}${name}${t.nameSuffix}`;
}

/** The transforms of the overlay at `overlay` in a checkout (none when it has no kustomization). */
export async function readOverlayTransforms(dir: string, overlay: string): Promise<OverlayTransforms> {
  for (const name of KUSTOMIZATION_FILES) {
    try {
      return overlayTransforms(await readFile(join(dir, overlay, name), 'utf8'));
    } catch {}
  }
  return { namespace: null, namePrefix: '', nameSuffix: '' };
}

/** Repo-relative path of a file salve writes in the overlay (`salve/...`). */
export function inOverlay(overlay: string, file: string): string {
  return overlay === '.' || overlay === '' ? file : `${overlay}/${file}`;
}
