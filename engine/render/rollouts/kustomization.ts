/** `resources:` and `configurations:` entries in a kustomization, added in place (comments kept). */
import { isScalar, isSeq, parseDocument } from 'yaml';
import { appendListItem, findPair, parseMapping, scalarText } from '../yaml-text.ts';

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
  const seq = findPair(y.root, key)?.value;
  if (isSeq(seq) && seq.items.some((item) => isScalar(item) && normalise(String(item.value)) === normalise(entry)))
    return text;
  const spliced = appendListItem(y, key, [`- ${scalarText(entry)}`], anchors);
  if (spliced !== null) return spliced;
  const doc = parseDocument(text);
  const list = doc.get(key);
  if (isSeq(list)) list.add(doc.createNode(entry));
  else doc.set(key, doc.createNode([entry]));
  return doc.toString({ lineWidth: 0 });
}
