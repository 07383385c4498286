/**
 * History for rollbacks: a release commit per kustomization that pins an overlay's image (its own,
 * or a base's) bumping the tag of every `images:` entry in it, as a release bot would (only the
 * tag's bytes change), so the pin's git history holds a previous tag to roll back to.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
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

/**
 * One release commit per kustomization (repo-relative) that pins a tag: the overlay's own, or a
 * base or intermediate kustomization that pins the image an overlay renders.
 */
export async function replayTagBumps(repoDir: string, files: readonly string[], when: Date): Promise<void> {
  for (const file of [...new Set(files)].sort()) {
    const path = join(repoDir, file);
    const text = await readFile(path, 'utf8');
    const bumped = bumpTags(text);
    if (bumped === text) continue;
    await writeFile(path, bumped);
    await commitAll(repoDir, `release: bump images in ${file}`, when);
  }
}
