/**
 * The overlay as its own `patches:` see it: its resources, components and generators (and the
 * legacy `patchesStrategicMerge:`, which kustomize applies before `patches:`), without the
 * transforms that come after (namespace, prefix, suffix, labels, images, replicas, replacements).
 * Built with the real kustomize from a shadow of the checkout whose kustomization keeps only those keys.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
import type { K8sObject } from '../model/remediation.ts';
import { createShadow } from '../pipeline/shadow.ts';
import { buildOverlay } from '../repo/build-overlay.ts';
import type { OverlayRepo } from './overlay.ts';

/** Keys that make the objects an overlay's patches apply to. */
const BEFORE_PATCHES = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'bases',
  'components',
  'crds',
  'openapi',
  'configurations',
  'generators',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'helmCharts',
  'helmGlobals',
  'helmChartInflationGenerator',
  'patchesStrategicMerge',
  'sortOptions',
]);

export function prePatchKustomization(text: string): string {
  const doc = parseDocument(text);
  if (!isMap(doc.contents)) return text;
  for (const pair of [...doc.contents.items]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!BEFORE_PATCHES.has(key)) doc.contents.delete(pair.key);
  }
  return doc.toString({ lineWidth: 0 });
}

/**
 * The objects the overlay's patches apply to, as they are when its patches run (not placed), at
 * the base commit: the checkout's kustomization, not one the change already edited.
 */
export async function prePatchObjects(
  repo: Pick<OverlayRepo, 'dir' | 'resolution' | 'kustomizationPath'>,
): Promise<K8sObject[]> {
  let text: string;
  try {
    text = await readFile(join(repo.dir, repo.kustomizationPath), 'utf8');
  } catch {
    return [];
  }
  const stripped = prePatchKustomization(text);
  const shadow = await createShadow(repo.dir, [{ path: repo.kustomizationPath, before: text, after: stripped }]);
  try {
    return (await buildOverlay(shadow.dir, repo.resolution.overlay)).objects;
  } finally {
    await shadow.cleanup();
  }
}

/** The caller's kept pre-patch objects, or a build of them. */
export function prePatchOf(repo: OverlayRepo): Promise<readonly K8sObject[]> {
  return repo.prePatch ? repo.prePatch() : prePatchObjects(repo);
}

/** A once-only `prePatch` for a view of the overlay at its base commit. */
export function keepPrePatch(
  repo: Pick<OverlayRepo, 'dir' | 'resolution' | 'kustomizationPath'>,
): () => Promise<readonly K8sObject[]> {
  let kept: Promise<readonly K8sObject[]> | null = null;
  return () => {
    kept ??= prePatchObjects(repo);
    return kept;
  };
}
