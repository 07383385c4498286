/**
 * Where a rendered image is written when no kustomization pins it: the `image:` of a workload's
 * container in a manifest the overlay's build includes (`resources:` files, through every
 * kustomization it reaches). Read from the commit, bounded and confined like pins.ts: a manifest
 * larger than 1 MiB, a link out of the repository or a remote resource is not read. A patch that
 * names the image, or two manifests that could render the container, make it a "no action" reason
 * naming them: the rollback would not be the one field that changed.
 */
import { parseAllDocuments, parseDocument } from 'yaml';
import { MAX_ALIAS_COUNT } from '../../repo/bounded-yaml.ts';
import { containerImageIn } from '../../repo/manifest-image-history.ts';
import { KUSTOMIZATION_FILES } from '../../repo/overlay-inputs.ts';
import { resolveInside } from '../../repo/paths.ts';
import { type RepoTree, readFileText, resolvePath } from '../../repo/tree.ts';
import { splitImage } from './pins.ts';

/** The container whose image a manifest writes: where, and what the line says. */
export interface ManifestImage {
  /** Repo-relative manifest file. */
  file: string;
  kind: string;
  /** The name in the manifest (before the overlays' prefixes and suffixes). */
  name: string;
  container: string;
  image: string;
  /** 1-based line of the `image:` value. */
  line: number;
}

export type ManifestFinding = { manifest: ManifestImage } | { reason: string };

const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_KUSTOMIZATIONS = 10_000;

type Json = Record<string, unknown>;
const record = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

async function readSmall(tree: RepoTree, file: string): Promise<string | null> {
  try {
    const stat = await resolvePath(tree, file);
    if (stat?.kind !== 'file' || stat.size > MAX_MANIFEST_BYTES) return null;
    return await readFileText(tree, file, MAX_MANIFEST_BYTES);
  } catch {
    return null; // a link out of the repository: the build refuses it already
  }
}

/** The manifests and the patches (files, or `file (inline)`) a build of `overlay` reads. */
export async function buildSources(
  tree: RepoTree,
  overlay: string,
): Promise<{ manifests: string[]; patches: Array<{ where: string; text: string | null }> }> {
  const manifests: string[] = [];
  // A patch file too large or unreadable has text null: it may set the image.
  const patches: Array<{ where: string; text: string | null }> = [];
  const start = resolveInside('', overlay);
  if (start === null) return { manifests, patches };
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0 && seen.size <= MAX_KUSTOMIZATIONS) {
    const dir = queue.shift() as string;
    let file: string | null = null;
    for (const name of KUSTOMIZATION_FILES) {
      const candidate = dir ? `${dir}/${name}` : name;
      if ((await resolvePath(tree, candidate).catch(() => null))?.kind === 'file') {
        file = candidate;
        break;
      }
    }
    const source = file === null ? null : await readSmall(tree, file);
    if (file === null || source === null) continue;
    const doc = parseDocument(source, { uniqueKeys: false });
    let k: Json = {};
    try {
      k = doc.errors.length > 0 ? {} : record(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
    } catch {
      k = {};
    }
    const local = async (ref: unknown): Promise<{ path: string; kind: 'file' | 'dir' } | null> => {
      if (typeof ref !== 'string' || ref === '' || ref.includes('\n')) return null;
      const path = resolveInside(dir, ref);
      const stat = path === null ? null : await resolvePath(tree, path).catch(() => null);
      return path !== null && stat ? { path, kind: stat.kind } : null;
    };
    for (const ref of [...list(k.resources), ...list(k.bases), ...list(k.components)]) {
      const found = await local(ref);
      if (found?.kind === 'file') manifests.push(found.path);
      else if (found && !seen.has(found.path)) {
        seen.add(found.path);
        queue.push(found.path);
      }
    }
    const inline = (text: unknown) => typeof text === 'string' && patches.push({ where: `${file} (inline)`, text });
    for (const p of [...list(k.patches), ...list(k.patchesJson6902)].map(record)) {
      inline(p.patch);
      const found = await local(p.path);
      if (found?.kind === 'file') patches.push({ where: found.path, text: await readSmall(tree, found.path) });
    }
    for (const p of list(k.patchesStrategicMerge)) {
      const found = await local(p);
      if (found?.kind === 'file') patches.push({ where: found.path, text: await readSmall(tree, found.path) });
      else if (typeof p === 'string' && p.includes('\n')) inline(p);
    }
    for (const r of list(k.replacements).map(record)) {
      const found = await local(r.path);
      if (found?.kind === 'file') patches.push({ where: found.path, text: await readSmall(tree, found.path) });
      else inline(JSON.stringify(r));
    }
  }
  return { manifests: [...new Set(manifests)], patches };
}

/**
 * The one manifest line that renders `image` for container `container` of the rendered `kind`/`name`,
 * or why there is none salve can roll back.
 */
export async function manifestImage(
  tree: RepoTree,
  overlay: string,
  target: { kind: string; name: string; container: string; image: string },
): Promise<ManifestFinding> {
  const { kind, container, image } = target;
  const what = `${kind}/${target.name} container ${container}`;
  const { manifests, patches } = await buildSources(tree, overlay);
  const found: ManifestImage[] = [];
  for (const file of manifests) {
    const text = await readSmall(tree, file);
    if (text === null || !text.includes(image)) continue;
    // Prefixes and suffixes only add to the name: the manifest's name is inside the rendered one.
    const hits = containerImageIn(text, { kind, name: (n) => target.name.includes(n), container });
    for (const h of hits.filter((x) => x.image === image)) found.push({ file, kind, container, ...h });
  }
  const { name } = splitImage(image);
  const patching = [...new Set(patches.filter((p) => p.text === null || setsImage(p.text, name)).map((p) => p.where))];
  if (patching.length > 0) {
    const written = found.length > 0 ? `${image} is written in ${found.map((f) => f.file).join(' and ')}, but ` : '';
    return {
      reason: `${what}: ${written}${patching.join(' and ')} also sets ${name}: a patch sets the image, and an images: entry rolling back a manifest line would not be the one change that ran`,
    };
  }
  if (found.length === 0) {
    return {
      reason: `no kustomization the overlay reaches pins the image of ${what}, and no manifest it includes writes ${image} for it`,
    };
  }
  // A manifest named exactly as rendered is the one; another only contains the name (a prefix or suffix could add the rest).
  const exact = found.filter((f) => f.name === target.name);
  const candidates = exact.length > 0 ? exact : found;
  if (candidates.length > 1) {
    const files = candidates.map((f) => `${f.file} line ${f.line} (${f.kind}/${f.name})`);
    return {
      reason: `${image} of ${what} is written in ${files.join(' and ')}: salve cannot tell which one renders it`,
    };
  }
  return { manifest: candidates[0] as ManifestImage };
}

const MAX_DEPTH = 40;

/**
 * Does a patch (strategic merge, JSON 6902, or replacements) set an image named `name`: an `image:`
 * field, a JSON patch op on a path ending in `/image`, a replacement whose target field is an image?
 */
export function setsImage(text: string, name: string): boolean {
  if (!text.includes('image')) return false;
  let docs: unknown[];
  try {
    const parsed = parseAllDocuments(text, { uniqueKeys: false });
    if (!Array.isArray(parsed)) return false;
    docs = parsed.slice(0, 1000).map((d) => (d.errors.length > 0 ? null : d.toJS({ maxAliasCount: MAX_ALIAS_COUNT })));
  } catch {
    return true; // unreadable: as if it did, the reason names it
  }
  const named = (v: unknown) => typeof v === 'string' && splitImage(v).name === name;
  const visit = (node: unknown, depth: number): boolean => {
    if (depth > MAX_DEPTH || typeof node !== 'object' || node === null) return false;
    if (Array.isArray(node)) return node.some((n) => visit(n, depth + 1));
    const o = node as Json;
    if (named(o.image)) return true;
    if (typeof o.path === 'string' && /ontainers\/[^/]+\/image$/.test(o.path) && named(o.value)) return true;
    if (typeof o.path === 'string' && /ontainers\/[^/]+\/image$/.test(o.path) && o.op === 'remove') return true;
    const fields = [...list(o.fieldPaths), o.fieldPath].filter((f): f is string => typeof f === 'string');
    if (fields.some((f) => /(^|\.)image$/.test(f))) return true;
    return Object.values(o).some((v) => visit(v, depth + 1));
  };
  return docs.some((d) => visit(d, 0));
}
