/** `patches:` entries in a kustomization, added in place. */
import { isScalar, isSeq, parseDocument } from 'yaml';
import {
  afterPair,
  applySplices,
  columnOf,
  findPair,
  insertLines,
  lastLineEnd,
  parseMapping,
  rangeOf,
  scalarText,
  scalarValue,
  sequenceIndent,
  valueEnd,
  type YamlText,
} from './yaml-text.ts';

/** Keys a new `patches:` goes after, in order of preference (the last one present wins). */
const ANCHORS = ['resources', 'components', 'patchesStrategicMerge', 'patchesJson6902'];

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
}

function targetText(target: PatchTarget): string {
  const parts = (['group', 'version', 'kind', 'name'] as const)
    .filter((k) => target[k] !== undefined && target[k] !== '')
    .map((k) => `${k}: ${scalarText(String(target[k]))}`);
  return `{${parts.join(', ')}}`;
}

function entryLines(patchPath: string, target: PatchTarget | undefined, column: string): string[] {
  const lines = [`${column}- path: ${scalarText(patchPath)}`];
  if (target) lines.push(`${column}  target: ${targetText(target)}`);
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
  if (y.root.flow) return viaDocument(kustomizationText, patchPath, target);
  const pair = findPair(y.root, 'patches');
  const indent = ' '.repeat(sequenceIndent(y));
  if (!pair) {
    const anchor = ANCHORS.map((key) => findPair(y.root, key))
      .filter((p) => p !== undefined)
      .pop();
    const after = anchor ?? y.root.items[y.root.items.length - 1];
    const offset = after ? afterPair(y, after) : y.text.length;
    return applySplices(y.text, [insertLines(y, offset, ['patches:', ...entryLines(patchPath, target, indent)])]);
  }
  const seq = pair.value;
  const seqRange = rangeOf(seq);
  if (isSeq(seq) && !seq.flow && seq.items.length > 0 && seqRange) {
    const column = ' '.repeat(columnOf(y, seqRange[0]));
    const last = seq.items[seq.items.length - 1];
    return applySplices(y.text, [insertLines(y, lastLineEnd(y, last), entryLines(patchPath, target, column))]);
  }
  const empty = seq === null || (isScalar(seq) && seq.value === null) || (isSeq(seq) && seq.items.length === 0);
  if (!empty) return viaDocument(kustomizationText, patchPath, target);
  // `patches:` or `patches: []`: replace the empty value with a block sequence.
  const keyEnd = valueEnd(pair.key);
  const colon = y.text.indexOf(':', keyEnd);
  const end = seqRange ? Math.max(seqRange[1], colon + 1) : colon + 1;
  const lines = entryLines(patchPath, target, indent).join(y.newline);
  return applySplices(y.text, [{ start: colon + 1, end, text: `${y.newline}${lines}` }]);
}
