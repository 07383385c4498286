/**
 * History for rollbacks: a release commit per overlay that bumps the tag of every `images:` entry
 * of its kustomization, as a release bot would (only the tag's bytes change), so the overlay's git
 * history holds a previous tag to roll back to.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { KUSTOMIZATION_FILES } from '../repo/overlay-inputs.ts';
import { commitAll } from './workspace.ts';

/** `2.2.0` → `2.2.1`, `v1.4` → `v1.5`, `latest` → `latest.1`. */
export function nextTag(tag: string): string {
  const match = /^(.*?)(\d+)(\D*)$/.exec(tag);
  if (!match) return `${tag}.1`;
  const [, head = '', digits = '0', tail = ''] = match;
  return `${head}${String(Number(digits) + 1).padStart(digits.length, '0')}${tail}`;
}

/** The kustomization with every `images[].newTag` bumped; the input when it pins no tag. */
export function bumpTags(text: string): string {
  const doc = parseDocument(text);
  const images = doc.get('images', true);
  if (!isSeq(images)) return text;
  const edits: Array<{ start: number; end: number; tag: string }> = [];
  for (const entry of images.items) {
    if (!isMap(entry)) continue;
    const node = entry.get('newTag', true);
    if (!isScalar(node) || !node.range) continue;
    const raw = text.slice(node.range[0], node.range[1]);
    const quote = /^["']/.test(raw) ? raw.charAt(0) : '';
    edits.push({ start: node.range[0], end: node.range[1], tag: `${quote}${nextTag(String(node.value))}${quote}` });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.tag + out.slice(e.end);
  return out;
}

/** One commit per overlay whose kustomization pins a tag. */
export async function replayTagBumps(repoDir: string, overlays: readonly string[], when: Date): Promise<void> {
  for (const overlay of overlays) {
    for (const name of KUSTOMIZATION_FILES) {
      const path = join(repoDir, overlay, name);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch {
        continue;
      }
      const bumped = bumpTags(text);
      if (bumped === text) break;
      await writeFile(path, bumped);
      await commitAll(repoDir, `release: bump images in ${overlay}`, when);
      break;
    }
  }
}
