/**
 * Edits a value where the overlay already sets it, as a human would, instead of layering a second
 * patch over a first that would stay behind as a dead, misleading line. Looks through the overlay's
 * own patches in the order kustomize applies them (`patchesStrategicMerge:`, `patches:`,
 * `patchesJson6902:`; files and inline patches, strategic merge or JSON6902) for the last one that
 * sets the field on the object; when that patch lives in the overlay, its value is rewritten in place.
 */
import { isMap, isScalar, isSeq, type Node, parseAllDocuments, type Scalar } from 'yaml';
import { ConfigError } from '../model/errors.ts';
import type { FileChange } from '../model/index.ts';
import type { FieldEdit, FieldLocation } from './field-edit.ts';
import { dropNote } from './images.ts';
import type { OverlayRepo } from './overlay.ts';
import { type PatchSource, patchSources } from './patch-sources.ts';
import { selects } from './selector.ts';
import { applySplices, scalarText, setScalar } from './yaml-text.ts';

interface Setter {
  source: PatchSource;
  node: Scalar;
  /** The patch's target selects other objects too: its value is theirs as well. */
  shared: boolean;
}

function unescapePointer(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

function scalarAt(node: unknown, keys: readonly string[]): Scalar | null {
  let current: unknown = node;
  for (const key of keys) {
    if (!isMap(current)) return null;
    current = current.get(key, true);
  }
  return isScalar(current) && current.range ? current : null;
}

/** The scalar a strategic-merge document sets for the field, or null. */
function inStrategicMerge(doc: Node, edit: FieldEdit, at: FieldLocation): Scalar | null {
  if (!at.slot) return scalarAt(doc, edit.field);
  const list = isMap(doc) ? doc.getIn(['spec', 'template', 'spec', at.slot.list], true) : null;
  if (!isSeq(list)) return null;
  const item = list.items.find((i) => isMap(i) && i.get('name') === at.slot?.name);
  return scalarAt(item, edit.field);
}

/** The scalar a JSON6902 operation list sets for the field (exactly, or inside a value it adds), or null. */
function inJsonPatch(ops: Node, at: FieldLocation): Scalar | null {
  if (!isSeq(ops)) return null;
  let found: Scalar | null = null;
  for (const op of ops.items) {
    if (!isMap(op) || !['add', 'replace'].includes(String(op.get('op')))) continue;
    const path = String(op.get('path') ?? '');
    const segments = path.split('/').slice(1).map(unescapePointer);
    if (segments.length > at.pointer.length || segments.some((s, i) => s !== at.pointer[i])) continue;
    const value = op.get('value', true);
    const node = segments.length === at.pointer.length ? value : scalarAt(value, at.pointer.slice(segments.length));
    if (isScalar(node) && node.range) found = node;
  }
  return found;
}

function namesObject(doc: Node, identity: FieldLocation['identity']): boolean {
  if (!isMap(doc)) return false;
  const ns = doc.getIn(['metadata', 'namespace']);
  return (
    doc.get('kind') === identity.kind &&
    doc.getIn(['metadata', 'name']) === identity.name &&
    (ns === undefined || ns === null || ns === identity.namespace)
  );
}

/** Every patch of the overlay that sets the field on the object, in the order kustomize applies them. */
function setters(sources: readonly PatchSource[], edit: FieldEdit, at: FieldLocation): Setter[] {
  const object = at.prePatch;
  const out: Setter[] = [];
  for (const source of sources) {
    const target = source.target;
    const shared = target !== null && at.siblings.filter((o) => selects(target, o) !== false).length > 1;
    const docs = parseAllDocuments(source.text);
    if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) continue;
    for (const doc of docs) {
      const contents = doc.contents;
      if (!contents) continue;
      if (source.target && selects(source.target, object) !== true) continue;
      const node = isSeq(contents)
        ? inJsonPatch(contents, at)
        : !source.target && !namesObject(contents, at.identity)
          ? null
          : inStrategicMerge(contents, edit, at);
      if (node) out.push({ source, node, shared });
    }
  }
  return out;
}

function valueText(value: unknown, like: Scalar): string {
  return typeof value === 'string' ? scalarText(value, like) : String(value);
}

/**
 * The change that sets the value in the patch that sets it now, or null when no patch of the
 * overlay sets it, or the one that does is shared (a file other overlays may read, or a target
 * that selects other objects too): then a patch of its own, applied after it, is the honest change.
 */
export async function editInPlace(
  repo: OverlayRepo,
  kustomization: string,
  edit: FieldEdit,
  at: FieldLocation,
): Promise<FileChange[] | null> {
  const sources = await patchSources(repo, kustomization);
  const last = setters(sources, edit, at).pop();
  if (!last) return null;
  const { source, node, shared } = last;
  if (shared && source.field !== 'patchesJson6902') return null;
  if (!source.editable || shared) {
    if (source.field === 'patchesJson6902') {
      throw new ConfigError(
        `${repo.kustomizationPath}: ${source.file} (a patchesJson6902: entry, which kustomize applies after patches:) sets ${at.pointer.join('/')} ${shared ? 'for several objects' : 'outside the overlay'}; salve does not edit a value others share`,
        { code: 'unsupported-shared-json6902' },
      );
    }
    return null;
  }
  const before = source.file === repo.kustomizationPath ? kustomization : await repo.readFile(source.file);
  if (before === null) return null;
  const range = node.range as [number, number, number];
  const start = source.toFile(range[0]);
  const end = source.toFile(range[1]);
  const splices = setScalar(before, { start, end }, valueText(edit.value, node), (comment, line) =>
    repo.note?.(dropNote(comment, line.replace(comment, '').trim(), source.file, String(node.value))),
  );
  const after = applySplices(before, splices);
  return after === before ? [] : [{ path: source.file, before, after }];
}
