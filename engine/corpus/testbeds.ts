/**
 * The corpus: real public config repos (test beds), each a folder with a SOURCE.md that lists its
 * deployable roots in a fenced `roots` block. A test bed without that block gets its roots
 * inferred: every kustomization no other kustomization of the tree reaches.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { InputError } from '../model/errors.ts';
import { walkFiles } from '../repo/glob.ts';
import { KUSTOMIZATION_FILES } from '../repo/overlay-inputs.ts';

export interface Testbed {
  name: string;
  dir: string;
  /** Repo-relative overlay directories, in SOURCE.md order. */
  roots: string[];
  /** Where the roots came from: the SOURCE.md block, or inferred from the tree. */
  rootsFrom: 'SOURCE.md' | 'inferred';
  /** Extra `kustomize build` arguments SOURCE.md says every root needs (salve passes none). */
  buildArgs: string[];
}

/** The lines of the first fenced block whose info string is `roots`; null when there is none. */
export function rootsBlock(markdown: string): string[] | null {
  const match = /^```roots[ \t]*\r?\n([\s\S]*?)^```/m.exec(markdown);
  if (!match) return null;
  return (match[1] ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** "Build arguments for every root of this test bed: `--load-restrictor LoadRestrictionsNone`." */
export function buildArgsOf(markdown: string): string[] {
  const match = /Build arguments for every root[^`]*`([^`]+)`/.exec(markdown);
  return match?.[1] ? match[1].trim().split(/\s+/) : [];
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Kustomization directories of a tree that no other kustomization names as a resource, base or component. */
export async function inferRoots(dir: string): Promise<string[]> {
  const files = await walkFiles(dir);
  const kustomizations = files.filter((f) => KUSTOMIZATION_FILES.includes(posix.basename(f)));
  const dirs = new Set(kustomizations.map((f) => posix.dirname(f)));
  const reached = new Set<string>();
  for (const file of kustomizations) {
    let doc: Record<string, unknown>;
    try {
      doc = (parse(await readFile(join(dir, file), 'utf8')) ?? {}) as Record<string, unknown>;
    } catch {
      continue;
    }
    for (const ref of [...list(doc.resources), ...list(doc.bases), ...list(doc.components)]) {
      reached.add(posix.normalize(posix.join(posix.dirname(file), ref)));
    }
  }
  return [...dirs].filter((d) => !reached.has(d)).sort();
}

export async function readTestbed(dir: string, name: string): Promise<Testbed> {
  let source = '';
  try {
    source = await readFile(join(dir, 'SOURCE.md'), 'utf8');
  } catch {
    throw new InputError(`test bed ${name} has no SOURCE.md (${dir})`);
  }
  const block = rootsBlock(source);
  const roots = block ?? (await inferRoots(dir));
  return { name, dir, roots, rootsFrom: block ? 'SOURCE.md' : 'inferred', buildArgs: buildArgsOf(source) };
}

/** Every test bed under `root` (one folder each), sorted by name; `only` keeps the named ones. */
export async function readTestbeds(root: string, only: readonly string[] = []): Promise<Testbed[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory() && (only.length === 0 || only.includes(e.name)))
    .map((e) => e.name)
    .sort();
  const missing = only.filter((n) => !names.includes(n));
  if (missing.length > 0) throw new InputError(`no test bed named ${missing.join(', ')} under ${root}`);
  return Promise.all(names.map((name) => readTestbed(join(root, name), name)));
}
