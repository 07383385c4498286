/**
 * The patches an overlay's kustomization applies, in kustomize's order (`patchesStrategicMerge:`,
 * then `patches:`, then `patchesJson6902:`), each with its text and where that text lives: a file
 * (editable when it is inside the overlay's directory, so no other overlay shares it) or an inline
 * block scalar of the kustomization (mapped back to the kustomization's bytes).
 */
import { posix } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Scalar } from 'yaml';
import type { OverlayRepo } from './overlay.ts';
import type { PatchSelector } from './selector.ts';

export type PatchField = 'patchesStrategicMerge' | 'patches' | 'patchesJson6902';

export interface PatchSource {
  field: PatchField;
  /** Repo-relative file holding the patch (the kustomization for an inline patch). */
  file: string;
  /** The patch as YAML. */
  text: string;
  /** Offset in `text` → offset in `file`. */
  toFile(offset: number): number;
  editable: boolean;
  target: PatchSelector | null;
}

const identity = (offset: number) => offset;

/** An inline literal block scalar's content, dedented, with the map back to the file; null for other styles. */
function blockContent(text: string, node: Scalar): { text: string; toFile(offset: number): number } | null {
  if (node.type !== 'BLOCK_LITERAL' || !node.range) return null;
  const [start, end] = node.range;
  const firstLine = text.indexOf('\n', start) + 1;
  if (firstLine <= 0 || firstLine >= end) return null;
  const lines: Array<{ from: number; body: string }> = [];
  for (let pos = firstLine; pos < end; ) {
    const nl = text.indexOf('\n', pos);
    const stop = nl < 0 || nl > end ? end : nl;
    lines.push({ from: pos, body: text.slice(pos, stop).replace(/\r$/, '') });
    pos = stop + 1;
  }
  const indent = Math.min(
    ...lines.filter((l) => l.body.trim() !== '').map((l) => (/^ */.exec(l.body)?.[0] ?? '').length),
  );
  if (!Number.isFinite(indent)) return null;
  const starts: number[] = [];
  let content = '';
  for (const l of lines) {
    starts.push(content.length);
    content += `${l.body.slice(Math.min(indent, l.body.length))}\n`;
  }
  return {
    text: content,
    toFile(offset) {
      let k = 0;
      while (k + 1 < starts.length && (starts[k + 1] as number) <= offset) k++;
      return (lines[k]?.from ?? start) + indent + (offset - (starts[k] ?? 0));
    },
  };
}

function selector(value: unknown): PatchSelector | null {
  if (!isMap(value)) return null;
  const out: Record<string, string> = {};
  for (const key of ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector']) {
    const v = value.get(key);
    if (typeof v === 'string') out[key] = v;
  }
  return out as PatchSelector;
}

export async function patchSources(repo: OverlayRepo, kustomization: string): Promise<PatchSource[]> {
  const doc = parseDocument(kustomization, { lineCounter: new LineCounter() });
  const dir = posix.dirname(repo.kustomizationPath);
  const out: PatchSource[] = [];
  const fromFile = async (field: PatchField, path: string, target: PatchSelector | null) => {
    const file = posix.normalize(posix.join(dir, path));
    const text = await repo.readFile(file);
    if (text === null) return;
    const editable = dir === '.' || dir === '' ? !file.startsWith('../') : file.startsWith(`${dir}/`);
    out.push({ field, file, text, toFile: identity, editable, target });
  };
  const inline = (field: PatchField, node: unknown, target: PatchSelector | null) => {
    if (!isScalar(node) || typeof node.value !== 'string') return;
    const block = blockContent(kustomization, node);
    out.push({
      field,
      file: repo.kustomizationPath,
      text: block?.text ?? node.value,
      toFile: block?.toFile ?? identity,
      editable: block !== null,
      target,
    });
  };
  const list = (key: PatchField) => {
    const seq = doc.get(key, true);
    return isSeq(seq) ? seq.items : [];
  };
  for (const item of list('patchesStrategicMerge')) {
    if (!isScalar(item) || typeof item.value !== 'string') continue;
    if (item.value.includes('\n')) inline('patchesStrategicMerge', item, null);
    else await fromFile('patchesStrategicMerge', item.value, null);
  }
  for (const field of ['patches', 'patchesJson6902'] as const) {
    for (const item of list(field)) {
      if (!isMap(item)) continue;
      const target = selector(item.get('target', true));
      const path = item.get('path');
      if (typeof path === 'string') await fromFile(field, path, target);
      else inline(field, item.get('patch', true), target);
    }
  }
  return out;
}
