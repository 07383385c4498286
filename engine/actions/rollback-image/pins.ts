/**
 * Where a rendered image's tag comes from: the `images:` entries of the overlay's kustomization
 * and of every kustomization it reaches through resources, bases and components, read from the
 * commit. kustomize runs a kustomization's images transformer after those of what it includes, so
 * the outermost entry that sets a tag wins. Bounded and confined like the build's inputs; what
 * cannot be read here (a link out of the repository, a remote base) is not followed: the build
 * refuses it already, and an image it pins is a plain "no action" reason.
 */
import { parseDocument } from 'yaml';
import { MAX_ALIAS_COUNT } from '../../repo/bounded-yaml.ts';
import { KUSTOMIZATION_FILES } from '../../repo/overlay-inputs.ts';
import { resolveInside } from '../../repo/paths.ts';
import { type RepoTree, readFileText, resolvePath } from '../../repo/tree.ts';

export interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

export type PinField = 'newTag' | 'digest';

export interface ImagePin {
  /** Repo-relative kustomization file that holds the entry. */
  file: string;
  entry: ImageEntry;
  /** The field that sets the rendered value, and its value. */
  field: PinField;
  value: string;
}

/** `unpinned`: no kustomization sets a version for the image at all (a manifest may write it). */
export type PinFinding = { pin: ImagePin } | { reason: string; unpinned?: true };

/** A kustomization larger than this holds no images: entry a human wrote: not read. */
const MAX_KUSTOMIZATION_BYTES = 1024 * 1024;
/** Kustomizations walked per image at most (the build refuses more than 10,000 directories). */
const MAX_KUSTOMIZATIONS = 10_000;

/** `registry/repo:tag@digest` → its parts. */
export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const noDigest = at >= 0 ? image.slice(0, at) : image;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const name = colon > slash ? noDigest.slice(0, colon) : noDigest;
  const tag = colon > slash ? noDigest.slice(colon + 1) : undefined;
  return { name, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** The `images:` entries and the local directories a kustomization includes (components last applied first). */
export function parseKustomization(source: string): { images: ImageEntry[]; includes: string[] } {
  const empty = { images: [], includes: [] };
  const doc = parseDocument(source, { uniqueKeys: false });
  if (doc.errors.length > 0) return empty;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return empty;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return empty;
  const k = value as Record<string, unknown>;
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const images: ImageEntry[] = [];
  for (const e of list(k.images)) {
    if (typeof e !== 'object' || e === null) continue;
    const raw = e as Record<string, unknown>;
    const name = text(raw.name);
    if (!name) continue;
    const newName = text(raw.newName);
    const newTag = text(raw.newTag);
    const digest = text(raw.digest);
    images.push({
      name,
      ...(newName === undefined ? {} : { newName }),
      ...(newTag === undefined ? {} : { newTag }),
      ...(digest === undefined ? {} : { digest }),
    });
  }
  // Components are applied after the resources, the last one last: the outermost comes first.
  const refs = [...list(k.components).reverse(), ...list(k.resources), ...list(k.bases)];
  return { images, includes: refs.filter((r): r is string => typeof r === 'string' && r !== '' && !r.includes('\n')) };
}

/** What an entry sets the image's version to, if anything. */
export function pinOf(entry: ImageEntry): { field: PinField; value: string } | null {
  if (entry.digest !== undefined) return { field: 'digest', value: entry.digest };
  if (entry.newTag !== undefined) return { field: 'newTag', value: entry.newTag };
  return null;
}

async function kustomizationIn(tree: RepoTree, dir: string): Promise<{ file: string; source: string } | null> {
  try {
    for (const name of KUSTOMIZATION_FILES) {
      const file = dir ? `${dir}/${name}` : name;
      if ((await resolvePath(tree, file))?.kind !== 'file') continue;
      const source = await readFileText(tree, file, MAX_KUSTOMIZATION_BYTES);
      return source === null ? null : { file, source };
    }
    return null;
  } catch {
    return null; // too large, or a link out of the repository: the build reports it
  }
}

interface Step {
  dir: string;
  /** Names the image has at this depth (outer entries may rename it on the way out). */
  names: Set<string>;
}

/**
 * Every entry that sets the version of the image rendered as `renderedName`, not overridden by an
 * outer entry on its path, outermost first (breadth-first from the overlay).
 */
export async function findPins(tree: RepoTree, overlay: string, renderedName: string): Promise<ImagePin[]> {
  const start = resolveInside('', overlay);
  if (start === null) return [];
  const pins: ImagePin[] = [];
  const seen = new Set<string>([start]);
  const queue: Step[] = [{ dir: start, names: new Set([renderedName]) }];
  while (queue.length > 0 && seen.size <= MAX_KUSTOMIZATIONS) {
    const step = queue.shift() as Step;
    const found = await kustomizationIn(tree, step.dir);
    if (!found) continue;
    const { images, includes } = parseKustomization(found.source);
    const names = new Set(step.names);
    let pinned = false;
    for (const entry of images) {
      const matches = names.has(entry.name) || (entry.newName !== undefined && names.has(entry.newName));
      if (!matches) continue;
      // Inside, the image still has the name this entry renames.
      names.add(entry.name);
      const pin = pinOf(entry);
      if (pin) {
        pins.push({ file: found.file, entry, ...pin });
        pinned = true;
      }
    }
    if (pinned) continue; // what it includes is overridden here
    for (const ref of includes) {
      const dir = resolveInside(step.dir, ref);
      if (dir === null || seen.has(dir)) continue;
      const stat = await resolvePath(tree, dir).catch(() => null);
      if (stat?.kind !== 'dir') continue;
      seen.add(dir);
      queue.push({ dir, names });
    }
  }
  return pins;
}

/** Does the rendered image carry exactly this pin's value? */
export function rendersPin(image: string, pin: ImagePin): boolean {
  const parts = splitImage(image);
  return pin.field === 'digest' ? parts.digest === pin.value : parts.tag === pin.value && parts.digest === undefined;
}

/** The pin that sets `image` (as rendered) for `container`, or why there is none salve can roll back. */
export async function effectivePin(
  tree: RepoTree,
  overlay: string,
  image: string,
  container: string,
): Promise<PinFinding> {
  const { name } = splitImage(image);
  const pins = await findPins(tree, overlay, name);
  if (pins.length === 0) {
    return {
      reason: `no kustomization the overlay reaches pins the image of container ${container} (no images: entry that sets a tag or digest for ${name})`,
      unpinned: true,
    };
  }
  const rendering = pins.filter((p) => rendersPin(image, p));
  if (rendering.length === 1) return { pin: rendering[0] as ImagePin };
  if (rendering.length > 1) {
    return {
      reason: `${name} is pinned in ${rendering.map((p) => p.file).join(' and ')}, which the overlay includes side by side: salve cannot tell which one renders container ${container}`,
    };
  }
  const said = pins.map((p) => `${p.file} pins ${p.field} ${p.value}`).join(', ');
  return {
    reason: `container ${container} renders ${image}, but ${said}: something else sets the image (a patch, a replacement or a transformer), and rolling that pin back would not change what runs`,
  };
}
