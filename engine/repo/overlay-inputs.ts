/**
 * What a `kustomize build` of one overlay reads: every kustomization it reaches, every file in those
 * directories, every file they name elsewhere (patches, generator sources, configurations) and the
 * remote resources they name. That closure is all the scratch copy of a build holds, and its digest
 * is the build cache's key. A reference that leaves the repository, or a remote one whose host
 * `.salve.yaml` does not allow, is refused here, before kustomize runs.
 */
import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import { ConfigError, quote } from '../model/errors.ts';
import { MAX_ALIAS_COUNT } from './bounded-yaml.ts';
import { resolveInside } from './paths.ts';
import { hostAllowed, remoteRef } from './remote.ts';
import { listDir, MAX_FILE_BYTES, type RepoTree, readFileText, resolvePath } from './tree.ts';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
/** A build that reaches more directories than this is refused (a link cycle, or a repo gone wild). */
const MAX_DIRECTORIES = 10_000;

type Json = Record<string, unknown>;

export interface RemoteInput {
  url: string;
  host: string;
  /** The kustomization that names it. */
  from: string;
}

export interface OverlayInputs {
  /** Repo-relative files the build may read, as kustomize names them (through links), sorted. */
  files: string[];
  remotes: RemoteInput[];
  /** sha256 over the overlay, every file's content id and the remotes. */
  digest: string;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** Paths a kustomization names, relative to its directory, with the field that names each. */
function referencedPaths(k: Json): Array<[string, string]> {
  const paths: Array<[string, string]> = [];
  const add = (field: string, value: unknown) => {
    if (typeof value === 'string' && value !== '' && !value.includes('\n')) paths.push([field, value]);
  };
  for (const key of [
    'resources',
    'bases',
    'components',
    'crds',
    'configurations',
    'transformers',
    'generators',
    'validators',
    'patchesStrategicMerge',
  ]) {
    for (const item of list(k[key])) add(key, item);
  }
  for (const key of ['patches', 'patchesJson6902', 'replacements']) {
    for (const item of list(k[key])) add(key, record(item).path);
  }
  add('openapi', record(k.openapi).path);
  for (const key of ['configMapGenerator', 'secretGenerator']) {
    for (const gen of list(k[key]).map(record)) {
      for (const f of list(gen.files)) if (typeof f === 'string') add(key, f.slice(f.indexOf('=') + 1));
      for (const e of [...list(gen.envs), gen.env]) add(key, e);
    }
  }
  return paths;
}

function parseKustomization(text: string): Json {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) return {}; // kustomize reports the syntax error
  try {
    return record(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
  } catch {
    return {}; // an alias bomb: kustomize meets it within its memory ceiling
  }
}

export async function overlayInputs(
  tree: RepoTree,
  overlay: string,
  options: { remoteHosts?: readonly string[] } = {},
): Promise<OverlayInputs> {
  const files = new Set<string>();
  const remotes: RemoteInput[] = [];
  const visited = new Set<string>();

  async function visit(directory: string): Promise<void> {
    // Paths are kept as kustomize will see them (through any link inside the repo), so the scratch
    // copy has a regular file wherever the commit has a link.
    if (visited.has(directory)) return;
    if (visited.size >= MAX_DIRECTORIES) {
      throw new ConfigError(`${overlay}: the build reaches more than ${MAX_DIRECTORIES} directories`, {
        code: 'build-too-large',
      });
    }
    visited.add(directory);
    const entries = await listDir(tree, directory);
    const inDir = (name: string) => (directory ? `${directory}/${name}` : name);
    // Files beside a kustomization are copied in case kustomize reads them (plugin configs name
    // paths salve does not parse); one too large to read is left out unless a field names it.
    for (const e of entries) {
      if (e.kind !== 'file') continue;
      const stat = await resolvePath(tree, inDir(e.name));
      if (stat && stat.size <= MAX_FILE_BYTES) files.add(inDir(e.name));
    }
    // A kustomization committed as a link out of the repository is refused, naming it.
    for (const e of entries)
      if (e.kind === 'outside' && KUSTOMIZATION_FILES.includes(e.name)) await resolvePath(tree, inDir(e.name));
    const name = KUSTOMIZATION_FILES.find((n) => entries.some((e) => e.kind === 'file' && e.name === n));
    if (!name) return;
    const file = inDir(name);
    const k = parseKustomization((await readFileText(tree, file)) ?? '');
    for (const [field, ref] of referencedPaths(k)) {
      const local = resolveInside(directory, ref);
      const stat = local === null ? null : await resolvePath(tree, local);
      if (local !== null && stat?.kind === 'dir') await visit(local);
      else if (local !== null && stat?.kind === 'file') files.add(local);
      else refuseOrNote(file, field, ref, local === null);
    }
  }

  function refuseOrNote(file: string, field: string, ref: string, outside: boolean): void {
    const remote = remoteRef(ref);
    if (remote) {
      if (!hostAllowed(remote, options.remoteHosts ?? [])) {
        const host = remote.host === '' ? 'a directory on the machine running salve' : remote.host;
        throw new ConfigError(
          `${file}: ${field} entry ${quote(ref)} is a remote resource (${host}); salve builds only what the commit holds unless .salve.yaml kustomize.remoteHosts lists its host`,
          { code: 'remote-resource' },
        );
      }
      remotes.push({ url: ref, host: remote.host, from: file });
    } else if (outside) {
      throw new ConfigError(`${file}: ${field} entry ${quote(ref)} points outside the repository`, {
        code: 'outside-repo',
      });
    }
    // Otherwise missing: kustomize says so, naming the file.
  }

  const start = resolveInside('', overlay);
  if (start === null) {
    throw new ConfigError(`overlay ${quote(overlay)} points outside the repository`, { code: 'outside-repo' });
  }
  if ((await resolvePath(tree, start))?.kind === 'dir') await visit(start);
  const sorted = [...files].sort();
  const hash = createHash('sha256').update(`${overlay}\0`);
  for (const file of sorted) {
    const resolved = (await resolvePath(tree, file))?.path ?? file;
    hash.update(`${file}\0${await tree.contentId(resolved)}\0`);
  }
  for (const r of remotes) hash.update(`remote:${r.url}\0`);
  return { files: sorted, remotes, digest: hash.digest('hex') };
}
