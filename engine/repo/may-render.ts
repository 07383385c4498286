/**
 * A static pass that says which overlays cannot render a given object, without running kustomize:
 * on a cluster where a thousand Applications share a namespace, resolution then builds the few
 * whose files name the target instead of all of them.
 *
 * Sound by construction: kustomize keeps each resource's name or adds a prefix and a suffix
 * (namePrefix, nameSuffix, at any level), so an overlay renders an object named N only if one of
 * the resources it reads is named a part of N. An overlay that can name things otherwise
 * (replacements, plugins, Helm charts, a JSON patch on a name), reads a remote resource or a file
 * this pass cannot parse is always built.
 */
import { LRUCache } from 'lru-cache';
import { parseAllDocuments } from 'yaml';
import { toJsBounded } from './bounded-yaml.ts';
import { KUSTOMIZATION_FILES, overlayInputs } from './overlay-inputs.ts';
import { resolveInside } from './paths.ts';
import { MAX_FILE_BYTES, type RepoTree, readManyText } from './tree.ts';

/**
 * What an overlay's files name: resource names, and whether every resource is an Argo CD object
 * (an app-of-apps root); `null` when the overlay must be built to know.
 */
export type OverlayNames = { names: ReadonlySet<string>; argoOnly: boolean } | null;

const ARGO_KINDS = new Set(['Application', 'ApplicationSet', 'AppProject']);

/** Kustomization fields and patch paths that make a name this pass cannot see. */
const RENAMES = /\b(replacements|helmCharts|helmChartInflationGenerator)\s*:|\/metadata\/name\b/;

/** Built-in transformers that keep names, or only add a prefix and a suffix to them. */
const NAME_KEEPING = new Set([
  'LabelTransformer',
  'AnnotationsTransformer',
  'NamespaceTransformer',
  'PrefixSuffixTransformer',
  'PrefixTransformer',
  'SuffixTransformer',
  'ImageTagTransformer',
  'ReplicaCountTransformer',
  'PatchStrategicMergeTransformer',
]);

function keepsNames(config: unknown): boolean {
  const o = (typeof config === 'object' && config !== null ? config : {}) as { apiVersion?: unknown; kind?: unknown };
  return o.apiVersion === 'builtin' && typeof o.kind === 'string' && NAME_KEEPING.has(o.kind);
}

/**
 * True when a kustomization's generators and transformers cannot name a resource: no generator
 * plugins, and every transformer a built-in that keeps names (its config read from `texts`).
 */
function plainKustomization(path: string, value: unknown, texts: ReadonlyMap<string, string>): boolean {
  const k = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (Array.isArray(k.generators) && k.generators.length > 0) return false;
  if (k.transformers === undefined) return true;
  if (!Array.isArray(k.transformers)) return false;
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  return k.transformers.every((entry) => {
    if (typeof entry !== 'string') return false;
    const inline = entry.includes('\n');
    const file = inline ? null : resolveInside(dir, entry);
    const text = inline ? entry : file === null ? undefined : texts.get(file);
    if (text === undefined) return false;
    const docs = parseAllDocuments(text);
    return docs.length > 0 && docs.every((d) => d.errors.length === 0 && keepsNames(toJsBounded(d, path)));
  });
}

function isKustomization(path: string): boolean {
  return KUSTOMIZATION_FILES.includes(path.slice(path.lastIndexOf('/') + 1));
}

/** Generated objects are named in the kustomization (and get a hash suffix). */
function generatedNames(value: unknown, names: Set<string>): void {
  const k = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  for (const field of ['configMapGenerator', 'secretGenerator']) {
    const list = k[field];
    if (!Array.isArray(list)) continue;
    for (const g of list) if (typeof g?.name === 'string') names.add(g.name);
  }
}

function namesIn(value: unknown, names: Set<string>, kinds: Set<string>): void {
  if (typeof value !== 'object' || value === null) return;
  const o = value as { kind?: unknown; metadata?: { name?: unknown }; items?: unknown };
  if (typeof o.metadata?.name === 'string') names.add(o.metadata.name);
  if (Array.isArray(o.items)) for (const item of o.items) namesIn(item, names, kinds);
  else kinds.add(typeof o.kind === 'string' ? o.kind : '');
}

async function readNames(tree: RepoTree, files: readonly string[]): Promise<OverlayNames> {
  let unread = false;
  const texts = await readManyText(tree, files, MAX_FILE_BYTES, () => {
    unread = true;
  });
  if (unread) return null;
  const names = new Set<string>();
  const kinds = new Set<string>();
  for (const [path, text] of texts) {
    if (RENAMES.test(text)) return null;
    try {
      const docs = parseAllDocuments(text);
      // Not YAML (a script, a generator's source): no resource of a build that succeeds.
      if (docs.some((d) => d.errors.length > 0)) {
        if (isKustomization(path)) return null;
        continue;
      }
      for (const doc of docs) {
        const value = toJsBounded(doc, path);
        if (!isKustomization(path)) namesIn(value, names, kinds);
        else if (plainKustomization(path, value, texts)) generatedNames(value, names);
        else return null;
      }
    } catch {
      return null;
    }
  }
  return { names, argoOnly: kinds.size > 0 && [...kinds].every((k) => ARGO_KINDS.has(k)) };
}

/** Overlay names by overlay and inputs digest, kept across incidents (a server plans many). */
export type NamesCache = LRUCache<string, Promise<OverlayNames>>;

export function createNamesCache(max = 4096): NamesCache {
  return new LRUCache({ max });
}

/** The resource names an overlay's files hold, or null when only a build can tell. */
export async function overlayNames(
  tree: RepoTree,
  overlay: string,
  opts: { remoteHosts?: readonly string[]; cache?: NamesCache } = {},
): Promise<OverlayNames> {
  let inputs: Awaited<ReturnType<typeof overlayInputs>>;
  try {
    inputs = await overlayInputs(tree, overlay, { remoteHosts: opts.remoteHosts ?? [] });
  } catch {
    // A reference outside the repository, a host not allowed: the build reports it.
    return null;
  }
  if (inputs.remotes.length > 0) return null;
  const key = `${overlay}\0${inputs.digest}`;
  let names = opts.cache?.get(key);
  if (!names) {
    names = readNames(tree, inputs.files);
    opts.cache?.set(key, names);
  }
  return names;
}

/** False only when no resource of the overlay is named a part of `name`. */
export function mayRender(names: OverlayNames, name: string): boolean {
  if (names === null) return true;
  for (const n of names.names) if (n !== '' && name.includes(n)) return true;
  return false;
}
