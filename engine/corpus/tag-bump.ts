/**
 * History for rollbacks: a release commit per kustomization that pins an overlay's image (its own,
 * or a base's) bumping the tag of every `images:` entry in it, and one per manifest whose `image:`
 * line renders an image no kustomization pins, as a release bot would (only the tag's bytes
 * change), so the git history holds a previous tag to roll back to.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { ManifestImage } from '../actions/rollback-image/manifest.ts';
import { splitImage } from '../actions/rollback-image/pins.ts';
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

/** The manifest with the tag of the image on 1-based `line` bumped (only its bytes change); null when it has no tag. */
export function bumpManifestLine(text: string, line: number, image: string): string | null {
  const lines = text.split('\n');
  const at = lines[line - 1];
  const { name, tag, digest } = splitImage(image);
  if (at === undefined || tag === undefined || digest !== undefined || !at.includes(image)) return null;
  lines[line - 1] = at.replace(image, `${name}:${nextTag(tag)}`);
  return lines.join('\n');
}

/** The key of a manifest line: one release edits it once, whatever overlays include it. */
const lineKey = (m: ManifestImage) => `${m.file}:${m.line}`;

/** The manifest lines a replayed release edits, and which overlays render each. */
export interface ManifestReleases {
  lines: Map<string, ManifestImage>;
  overlays: Map<string, Set<string>>;
}

/**
 * The manifest lines a replayed release edits: an overlay images: entry that rolls one back changes
 * every container of that overlay running the same image, so no two released lines of one image
 * are rendered by the same overlay. Lines are taken by file and line; one left out keeps its tag,
 * and its cases are skips naming the line released instead (released()).
 */
export function chooseManifestReleases(
  written: ReadonlyArray<{ overlay: string; line: ManifestImage }>,
): ManifestReleases {
  const overlays = new Map<string, Set<string>>();
  const byKey = new Map<string, ManifestImage>();
  for (const { overlay, line } of written) {
    byKey.set(lineKey(line), line);
    overlays.set(lineKey(line), (overlays.get(lineKey(line)) ?? new Set()).add(overlay));
  }
  const sorted = [...byKey.values()].filter((m) => splitImage(m.image).tag !== undefined && !m.image.includes('@'));
  sorted.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  const lines = new Map<string, ManifestImage>();
  for (const m of sorted) {
    const mine = overlays.get(lineKey(m)) ?? new Set<string>();
    const clash = [...lines.values()].some(
      (r) =>
        splitImage(r.image).name === splitImage(m.image).name &&
        [...(overlays.get(lineKey(r)) ?? [])].some((o) => mine.has(o)),
    );
    if (!clash) lines.set(lineKey(m), m);
  }
  return { lines, overlays };
}

/** Released for this overlay: true; else the released line of the same image it renders, or null (no tag to bump). */
export function released(r: ManifestReleases, overlay: string, m: ManifestImage): true | ManifestImage | null {
  if (r.lines.has(lineKey(m))) return true;
  const name = splitImage(m.image).name;
  const other = [...r.lines.values()].find(
    (x) => splitImage(x.image).name === name && r.overlays.get(lineKey(x))?.has(overlay),
  );
  return other ?? null;
}

/** One release commit per manifest, editing the image line of each chosen container in it. */
export async function replayManifestReleases(repoDir: string, chosen: ManifestReleases, when: Date): Promise<void> {
  const byFile = new Map<string, ManifestImage[]>();
  for (const m of chosen.lines.values()) byFile.set(m.file, [...(byFile.get(m.file) ?? []), m]);
  for (const file of [...byFile.keys()].sort()) {
    const path = join(repoDir, file);
    const before = await readFile(path, 'utf8');
    let text = before;
    for (const m of byFile.get(file) ?? []) text = bumpManifestLine(text, m.line, m.image) ?? text;
    if (text === before) continue;
    await writeFile(path, text);
    await commitAll(repoDir, `release: bump the image of ${file}`, when);
  }
}
