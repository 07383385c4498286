/**
 * The overlay as its own `patches:` see it: its resources, components and generators (and the
 * legacy `patchesStrategicMerge:`, which kustomize applies before `patches:`), without the
 * transforms that come after (namespace, prefix, suffix, labels, images, replicas, replacements).
 * Built with the real kustomize from the base commit with a kustomization that keeps only those keys.
 */
import { isMap, isScalar, parseDocument } from 'yaml';
import type { FileChange } from '../model/index.ts';
import type { K8sObject } from '../model/remediation.ts';
import { buildOverlay } from '../repo/build-overlay.ts';
import { withChanges } from '../repo/changes.ts';
import { directoryTree } from '../repo/fs-tree.ts';
import { readFileText } from '../repo/tree.ts';
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

/** Builds the overlay at the base commit with `changes` applied (pipeline/shadow.ts buildChanged). */
export type BuildChanged = (changes: readonly FileChange[]) => Promise<{ objects: K8sObject[] }>;

/**
 * The objects the overlay's patches apply to, as they are when its patches run (not placed), at
 * the base commit: `text` is the base commit's kustomization, not one the change already edited.
 */
export async function prePatchObjects(
  text: string | null,
  kustomizationPath: string,
  build: BuildChanged,
): Promise<K8sObject[]> {
  if (text === null) return [];
  return (await build([{ path: kustomizationPath, before: text, after: prePatchKustomization(text) }])).objects;
}

/** Without a kept build: the checkout at `dir` (callers that plan on a commit keep one, keepPrePatch). */
function fromCheckout(repo: Pick<OverlayRepo, 'dir' | 'resolution' | 'kustomizationPath'>): Promise<K8sObject[]> {
  const tree = directoryTree(repo.dir);
  return readFileText(tree, repo.kustomizationPath).then((text) =>
    prePatchObjects(text, repo.kustomizationPath, async (changes) =>
      buildOverlay(await withChanges(tree, changes), repo.resolution.overlay),
    ),
  );
}

/** The caller's kept pre-patch objects, or a build of them. */
export function prePatchOf(repo: OverlayRepo): Promise<readonly K8sObject[]> {
  return repo.prePatch ? repo.prePatch() : fromCheckout(repo);
}

/**
 * A once-only `prePatch` for a view of the overlay at its base commit: `repo.readFile` reads that
 * commit, `build` builds it with changes.
 */
export function keepPrePatch(
  repo: Pick<OverlayRepo, 'readFile' | 'kustomizationPath'>,
  build: BuildChanged,
): () => Promise<readonly K8sObject[]> {
  let kept: Promise<readonly K8sObject[]> | null = null;
  return () => {
    kept ??= repo.readFile(repo.kustomizationPath).then((text) => prePatchObjects(text, repo.kustomizationPath, build));
    return kept;
  };
}
