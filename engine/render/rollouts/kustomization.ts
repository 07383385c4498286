/** `resources:` and `configurations:` entries in a kustomization, added in place (comments kept). */
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
  sequenceIndent,
} from '../yaml-text.ts';

const normalise = (path: string) => path.replace(/^(\.\/)+/, '');

/**
 * Adds `- <entry>` to the list under `key` unless listed; a missing key goes after the last of
 * `anchors` present (else at the end). Idempotent. Flow or empty lists go through the Document API.
 */
export function ensureListEntry(
  text: string,
  key: string,
  entry: string,
  anchors: readonly string[],
  file = 'kustomization.yaml',
): string {
  const y = parseMapping(text, file);
  const pair = findPair(y.root, key);
  const seq = pair?.value;
  if (isSeq(seq) && seq.items.some((item) => isScalar(item) && normalise(String(item.value)) === normalise(entry)))
    return text;
  const line = `- ${scalarText(entry)}`;
  const range = rangeOf(seq);
  if (!y.root.flow && !pair) {
    const anchor = anchors
      .map((k) => findPair(y.root, k))
      .filter((p) => p !== undefined)
      .pop();
    const after = anchor ?? y.root.items[y.root.items.length - 1];
    const offset = after ? afterPair(y, after) : y.text.length;
    return applySplices(y.text, [insertLines(y, offset, [`${key}:`, `${' '.repeat(sequenceIndent(y))}${line}`])]);
  }
  if (!y.root.flow && isSeq(seq) && !seq.flow && seq.items.length > 0 && range) {
    const column = ' '.repeat(columnOf(y, range[0]));
    return applySplices(y.text, [
      insertLines(y, lastLineEnd(y, seq.items[seq.items.length - 1]), [`${column}${line}`]),
    ]);
  }
  const doc = parseDocument(text);
  const list = doc.get(key);
  if (isSeq(list)) list.add(doc.createNode(entry));
  else doc.set(key, doc.createNode([entry]));
  return doc.toString({ lineWidth: 0 });
}
