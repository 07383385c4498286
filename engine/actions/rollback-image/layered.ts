/**
 * A rollback of an image pinned in a kustomization the overlay includes: the change stays in the
 * overlay (a pin of its own, which kustomize applies after the included one), so other overlays
 * sharing that kustomization keep their image, and the explanation says what that pin holds back.
 */
import { posix } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { ImageOverride } from '../../render/images.ts';
import { type ImagePin, type PinField, parseKustomization } from './pins.ts';

interface Revision {
  tag: string;
  field: PinField;
  commit: string;
}

/** The overlay's entry that renders `renderedName` (one that only renames it), or the name a new entry takes. */
export function overlayEntryName(overlayText: string, renderedName: string): string {
  const own = parseKustomization(overlayText).images.find((e) => e.name === renderedName || e.newName === renderedName);
  return own?.name ?? renderedName;
}

/** The field a value was pinned by: a tag never holds `:`, a digest always does (`sha256:…`). */
function fieldOf(params: Record<string, unknown>): PinField {
  if (params.toField === 'digest' || params.toField === 'newTag') return params.toField;
  return String(params.toTag).includes(':') ? 'digest' : 'newTag';
}

/** What the overlay's `images:` entry is set to: the restored value, in the field that pinned it. */
export function overlayPin(params: Record<string, unknown>): ImageOverride {
  return { name: String(params.image), [fieldOf(params)]: String(params.toTag) };
}

/** `name:tag` or `name@digest`. */
export function withVersion(name: string, revision: { tag: string; field: PinField }): string {
  return revision.field === 'digest' ? `${name}@${revision.tag}` : `${name}:${revision.tag}`;
}

/** The 1-based line of the `images:` entry named `name` in a kustomization; null when absent. */
export function entryLine(text: string, name: string): number | null {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const images = doc.get('images', true);
  if (!isSeq(images)) return null;
  const entry = images.items.find((item) => isMap(item) && item.get('name') === name);
  const start = isMap(entry) ? entry.range?.[0] : undefined;
  return start === undefined ? null : lineCounter.linePos(start).line;
}

export function layeredRationale(opts: {
  pin: ImagePin;
  current: Revision;
  previous: Revision;
  kustomizationPath: string;
  entryName: string;
  line: number | null;
}): string[] {
  const { pin, current, previous, kustomizationPath, entryName, line } = opts;
  const where = `${kustomizationPath}${line === null ? '' : ` line ${line}`}`;
  return [
    `The release landed in ${pin.file}, a kustomization this overlay includes: commit ${current.commit.slice(0, 7)} set the ${pin.field} of ${pin.entry.name} to ${current.tag} there.`,
    `This change pins ${previous.tag} in the overlay's own kustomization (${kustomizationPath}): it overrides the ${pin.field} set in ${pin.file} for this overlay only. Other overlays that include ${posix.dirname(pin.file)} still run ${current.tag}.`,
    `A later release in ${pin.file} will not reach this overlay until that pin is removed: the images: entry ${entryName} at ${where}.`,
  ];
}
