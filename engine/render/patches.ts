/** `patches:` entries in a kustomization, added in place. */
import { isScalar, isSeq, parseDocument } from 'yaml';
import {
  appendListItem,
  applySplices,
  findPair,
  parseMapping,
  rangeOf,
  scalarText,
  scalarValue,
  sequenceIndent,
  valueEnd,
  type YamlText,
} from './yaml-text.ts';

/** Keys a new `patches:` goes after, in order of preference (the last one present wins). */
const ANCHORS = ['bases', 'resources', 'components', 'patchesStrategicMerge', 'patchesJson6902'];

function normalise(path: string): string {
  return path.replace(/^(\.\/)+/, '');
}

function alreadyListed(y: YamlText, patchPath: string): boolean {
  const want = normalise(patchPath);
  const patches = findPair(y.root, 'patches')?.value;
  if (isSeq(patches) && patches.items.some((item) => normalise(String(scalarValue(item, 'path') ?? '')) === want)) {
    return true;
  }
  const legacy = findPair(y.root, 'patchesStrategicMerge')?.value;
  return isSeq(legacy) && legacy.items.some((item) => isScalar(item) && normalise(String(item.value)) === want);
}

/** Which objects a JSON6902 patch applies to (kustomize requires it for that patch type). */
export interface PatchTarget {
  group?: string;
  version?: string;
  kind: string;
  name: string;
  /** The object's namespace when the overlay's patches run (render/patch-target.ts); absent when none. */
  namespace?: string;
}

function targetText(target: PatchTarget): string {
  const parts = (['group', 'version', 'kind', 'name', 'namespace'] as const)
    .filter((k) => target[k] !== undefined && target[k] !== '')
    .map((k) => `${k}: ${scalarText(String(target[k]))}`);
  return `{${parts.join(', ')}}`;
}

function entryLines(patchPath: string, target: PatchTarget | undefined): string[] {
  const lines = [`- path: ${scalarText(patchPath)}`];
  if (target) lines.push(`  target: ${targetText(target)}`);
  return lines;
}

/** Rewrites through the Document API: for layouts the splicer does not handle (flow collections). */
function viaDocument(text: string, patchPath: string, target: PatchTarget | undefined): string {
  const doc = parseDocument(text);
  const patches = doc.get('patches');
  const entry = target ? { path: patchPath, target } : { path: patchPath };
  if (isSeq(patches)) patches.add(doc.createNode(entry));
  else doc.set('patches', doc.createNode([entry]));
  return doc.toString({ lineWidth: 0 });
}

/**
 * Adds `- path: <patchPath>` (with `target:` for a JSON6902 patch) to `patches:` unless it is
 * already listed there (or in the legacy `patchesStrategicMerge:`, which is left alone).
 * Idempotent: a second call returns its input.
 */
export function ensurePatchEntry(
  kustomizationText: string,
  patchPath: string,
  file = 'kustomization.yaml',
  target?: PatchTarget,
): string {
  const y = parseMapping(kustomizationText, file);
  if (alreadyListed(y, patchPath)) return kustomizationText;
  const item = entryLines(patchPath, target);
  const spliced = appendListItem(y, 'patches', item, ANCHORS);
  if (spliced !== null) return spliced;
  const pair = findPair(y.root, 'patches');
  const seq = pair?.value;
  const empty = seq === null || (isScalar(seq) && seq.value === null) || (isSeq(seq) && seq.items.length === 0);
  if (y.root.flow || !pair || !empty) return viaDocument(kustomizationText, patchPath, target);
  // `patches:` or `patches: []`: replace the empty value with a block sequence.
  const seqRange = rangeOf(seq);
  const indent = ' '.repeat(sequenceIndent(y));
  const colon = y.text.indexOf(':', valueEnd(pair.key));
  const end = seqRange ? Math.max(seqRange[1], colon + 1) : colon + 1;
  const lines = item.map((l) => `${indent}${l}`).join(y.newline);
  return applySplices(y.text, [{ start: colon + 1, end, text: `${y.newline}${lines}` }]);
}
