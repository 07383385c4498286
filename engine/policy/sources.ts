/** Finds the Rego sources of policy directories and digests them. */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { PolicyError } from '../model/errors.ts';
import { digestOf, sha256Hex } from './digest.ts';

export interface PolicySource {
  /** `<directory name>/<path inside it>`, forward slashes: the same on every machine. */
  path: string;
  sha256: string;
  /** Which of the given directories it came from, and where inside it. */
  dirIndex: number;
  relPath: string;
  content: string;
}

export function isTestFile(name: string): boolean {
  return name.endsWith('_test.rego');
}

async function walk(dir: string, root: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) await walk(full, root, out);
    else if (e.isFile() && e.name.endsWith('.rego') && !isTestFile(e.name)) out.push(relative(root, full));
  }
}

/** Every non-test `.rego` file under the directories, sorted by path then content digest. */
export async function collectSources(policyDirs: readonly string[]): Promise<PolicySource[]> {
  if (policyDirs.length === 0) throw new PolicyError('no policy directories given');
  const sources: PolicySource[] = [];
  for (const [dirIndex, dir] of policyDirs.entries()) {
    const root = resolve(dir);
    const rels: string[] = [];
    try {
      await walk(root, root, rels);
    } catch (err) {
      throw new PolicyError(`policy directory ${dir} cannot be read: ${(err as Error).message}`, { cause: err });
    }
    for (const rel of rels) {
      const content = await readFile(join(root, rel), 'utf8');
      const relPath = rel.split(sep).join('/');
      sources.push({ path: `${basename(root)}/${relPath}`, sha256: sha256Hex(content), dirIndex, relPath, content });
    }
  }
  if (sources.length === 0) throw new PolicyError(`no .rego policies found in ${policyDirs.join(', ')}`);
  return sources.sort((a, b) => cmp(a.path, b.path) || cmp(a.sha256, b.sha256));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The bundle digest: over the entrypoint and the sorted sources' paths and contents, not over the
 * wasm. `opa build` output is not reproducible across OPA versions and machines, while the sources
 * are what a reviewer reads and what a verifier elsewhere can hash again.
 */
export function sourcesDigest(entrypoint: string, sources: readonly PolicySource[]): string {
  return digestOf({ entrypoint, sources: sources.map((s) => ({ path: s.path, sha256: s.sha256 })) });
}
