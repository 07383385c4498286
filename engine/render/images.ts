/** `images:` entries in a kustomization, updated in place or added. */
import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';
import {
  applySplices,
  columnOf,
  commentStart,
  findPair,
  insertLines,
  lastLineEnd,
  lineEnd,
  lineStart,
  newKeyOffset,
  parseMapping,
  rangeOf,
  type Splice,
  scalarText,
  scalarValue,
  sequenceIndent,
  setScalar,
  valueEnd,
  type YamlText,
} from './yaml-text.ts';

export interface ImageOverride {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

type Field = 'newName' | 'newTag' | 'digest';
const FIELDS: readonly Field[] = ['newName', 'newTag', 'digest'];

/**
 * What the entry should hold: the given fields, and the image pinned by exactly what is given.
 * A tag without a digest drops an old digest (kustomize renders `name:tag@digest`, and the digest wins);
 * a digest without a tag drops an old tag.
 */
function wanted(image: ImageOverride): { set: Array<[Field, string]>; drop: Field[] } {
  const set = FIELDS.flatMap((f): Array<[Field, string]> => (image[f] === undefined ? [] : [[f, image[f]]]));
  const drop: Field[] = [];
  if (image.newTag !== undefined && image.digest === undefined) drop.push('digest');
  if (image.digest !== undefined && image.newTag === undefined) drop.push('newTag');
  return { set, drop };
}

function newEntryLines(image: ImageOverride, indent: string): string[] {
  const lines = [`${indent}- name: ${scalarText(image.name)}`];
  for (const [field, value] of wanted(image).set) lines.push(`${indent}  ${field}: ${scalarText(value)}`);
  return lines;
}

/** Splices for an existing block-mapping entry, or null when the layout needs the Document API. */
function updateEntry(
  y: YamlText,
  entry: YAMLMap<unknown, unknown>,
  image: ImageOverride,
  note: (text: string) => void,
  file: string,
): Splice[] | null {
  const entryRange = rangeOf(entry);
  if (entry.flow || !entryRange) return null;
  const firstLine = y.lineCounter.linePos(entryRange[0]).line;
  const keyColumn = ' '.repeat(columnOf(y, entryRange[0]));
  const { set, drop } = wanted(image);
  const splices: Splice[] = [];
  const added: string[] = [];
  for (const [field, value] of set) {
    const pair = findPair(entry, field);
    if (!pair) {
      added.push(`${keyColumn}${field}: ${scalarText(value)}`);
      continue;
    }
    const node = pair.value;
    const range = rangeOf(node);
    if (!isScalar(node) || !range) return null;
    if (String(node.value) === value) continue;
    const was = String(node.value);
    splices.push(
      ...setScalar(y.text, { start: range[0], end: range[1] }, scalarText(value, node), (comment, line) =>
        note(dropNote(comment, line.replace(comment, '').trim(), file, was)),
      ),
    );
  }
  for (const field of drop) {
    const pair = findPair(entry, field);
    const keyRange = rangeOf(pair?.key);
    if (!pair || !keyRange) continue;
    if (y.lineCounter.linePos(keyRange[0]).line === firstLine) return null;
    const end = lineEnd(y.text, valueEnd(pair.value));
    const start = lineStart(y.text, keyRange[0]);
    const line = y.text.slice(start, end);
    const at = commentStart(line);
    if (at >= 0) {
      const comment = line.slice(at).trim();
      note(dropNote(comment, line.slice(0, at).trim(), file, String(scalarValue(entry, field))));
    }
    splices.push({ start: start - y.newline.length, end, text: '' });
  }
  if (added.length > 0) splices.push(insertLines(y, lastLineEnd(y, entry), added));
  return splices;
}

function viaDocument(text: string, image: ImageOverride): string {
  const doc = parseDocument(text);
  const { set, drop } = wanted(image);
  let images = doc.get('images');
  if (!isSeq(images)) {
    doc.set('images', doc.createNode([]));
    images = doc.get('images');
  }
  if (!isSeq(images)) return text;
  let entry = images.items.find((item) => isMap(item) && scalarValue(item, 'name') === image.name);
  if (!isMap(entry)) {
    entry = doc.createNode({ name: image.name });
    images.add(entry);
  }
  if (!isMap(entry)) return text;
  for (const [field, value] of set) entry.set(field, value);
  for (const field of drop) entry.delete(field);
  return doc.toString({ lineWidth: 0 });
}

/** `text` cut to 200 characters and quoted. */
function quoted(text: string): string {
  return `"${text.length > 200 ? `${text.slice(0, 199)}…` : text}"`;
}

/**
 * What a reviewer reads about a comment the edit dropped. Plain text: the parts that come from the
 * repo are untrusted, and the explanation renders the whole note as inert text.
 */
export function dropNote(comment: string, line: string, file: string, was: string): string {
  return `Dropped the comment ${quoted(comment)} on ${quoted(line)} in ${file}: it described the value this change replaces (${quoted(was)}).`;
}

/**
 * Sets the `images:` entry named `image.name` (in place, keeping its quoting and the comments that
 * stay true) or adds one. A comment on a rewritten line goes, and `note` hears about it.
 * Idempotent: when the entry already says so, the input is returned unchanged.
 */
export function setImage(
  kustomizationText: string,
  image: ImageOverride,
  file = 'kustomization.yaml',
  note: (text: string) => void = () => {},
): string {
  const y = parseMapping(kustomizationText, file);
  if (y.root.flow) return viaDocument(kustomizationText, image);
  const pair = findPair(y.root, 'images');
  const indent = ' '.repeat(sequenceIndent(y));
  if (!pair) {
    const last = y.root.items[y.root.items.length - 1];
    const { offset, blank } = last ? newKeyOffset(y, last) : { offset: y.text.length, blank: false };
    return applySplices(y.text, [insertLines(y, offset, ['images:', ...newEntryLines(image, indent)], blank)]);
  }
  const seq = pair.value;
  const seqRange = rangeOf(seq);
  if (!isSeq(seq) || seq.flow || seq.items.length === 0 || !seqRange) return viaDocument(kustomizationText, image);
  const entry = seq.items.find((item) => isMap(item) && scalarValue(item, 'name') === image.name);
  if (isMap(entry)) {
    const splices = updateEntry(y, entry, image, note, file);
    return splices ? applySplices(y.text, splices) : viaDocument(kustomizationText, image);
  }
  const column = ' '.repeat(columnOf(y, seqRange[0]));
  const last = seq.items[seq.items.length - 1];
  return applySplices(y.text, [insertLines(y, lastLineEnd(y, last), newEntryLines(image, column))]);
}
