/**
 * The files a `kustomize build` of one directory reads, for the build cache's key: every kustomization
 * it reaches, every file in those directories, and every file they name elsewhere (patches, generator
 * sources). Remote resources are named by URL.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

type Json = Record<string, unknown>;

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** Local paths a kustomization names, relative to its directory; remote ones prefixed `remote:`. */
function referencedPaths(k: Json): string[] {
  const paths: string[] = [];
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
    for (const item of list(k[key])) if (typeof item === 'string' && !item.includes('\n')) paths.push(item);
  }
  for (const key of ['patches', 'patchesJson6902', 'replacements']) {
    for (const item of list(k[key])) if (typeof record(item).path === 'string') paths.push(record(item).path as string);
  }
  if (typeof record(k.openapi).path === 'string') paths.push(record(k.openapi).path as string);
  for (const key of ['configMapGenerator', 'secretGenerator']) {
    for (const gen of list(k[key]).map(record)) {
      for (const f of list(gen.files)) if (typeof f === 'string') paths.push(f.slice(f.indexOf('=') + 1));
      for (const e of [...list(gen.envs), gen.env]) if (typeof e === 'string') paths.push(e);
    }
  }
  return paths.map((p) => (/^[a-z]+:\/\/|^(github\.com|gitlab\.com|bitbucket\.org)\//.test(p) ? `remote:${p}` : p));
}

async function kind(path: string): Promise<'file' | 'dir' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : null;
  } catch {
    return null;
  }
}

/** sha256 over the sorted (path, content) of everything the build of `dir` reads. */
export async function overlayDigest(dir: string): Promise<string> {
  const files = new Set<string>();
  const markers = new Set<string>();
  const visited = new Set<string>();

  async function visit(directory: string): Promise<void> {
    if (visited.has(directory)) return;
    visited.add(directory);
    const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isFile()) files.add(join(directory, entry.name));
    const name = KUSTOMIZATION_FILES.find((n) => entries.some((e) => e.isFile() && e.name === n));
    if (!name) return;
    let k: Json = {};
    try {
      k = record(parse(await readFile(join(directory, name), 'utf8')));
    } catch {
      return; // kustomize reports the syntax error; the file's bytes are in the digest already
    }
    for (const ref of referencedPaths(k)) {
      if (ref.startsWith('remote:')) {
        markers.add(ref);
        continue;
      }
      const target = resolve(directory, ref);
      const what = await kind(target);
      if (what === 'dir') await visit(target);
      else if (what === 'file') files.add(target);
      else markers.add(`missing:${target}`);
    }
  }

  await visit(resolve(dir));
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    const content = await readFile(file).catch(() => null);
    hash.update(`${file}\0${content ? createHash('sha256').update(content).digest('hex') : 'unreadable'}\0`);
  }
  for (const marker of [...markers].sort()) hash.update(`${marker}\0`);
  return hash.digest('hex');
}
