/** Reads what a published branch holds: the remediation records and the change against its base. */
import fs from 'node:fs';
import git, { type TreeEntry } from 'isomorphic-git';
import { type FileChange, InputError } from '../model/index.ts';
import { gitDirOf } from './git-dir.ts';

export const REMEDIATIONS_DIR = '.salve/remediations';

/** Every `.salve/remediations/<id>/*` file at `ref` (branch, tag or commit), as text. `[]` when none. */
export async function readRemediations(
  dir: string,
  ref: string,
): Promise<Array<{ id: string; files: Record<string, string> }>> {
  const gitdir = await gitDirOf(dir);
  const oid = await commitOf(gitdir, ref);
  let entries: TreeEntry[];
  try {
    entries = (await git.readTree({ fs, gitdir, oid, filepath: REMEDIATIONS_DIR })).tree;
  } catch (err) {
    if ((err as { code?: string }).code === 'NotFoundError') return [];
    throw err;
  }
  const out: Array<{ id: string; files: Record<string, string> }> = [];
  for (const entry of entries.filter((e) => e.type === 'tree')) {
    const files: Record<string, string> = {};
    for (const [path, blob] of await walk(gitdir, entry.oid, '')) files[path] = await readText(gitdir, blob);
    out.push({ id: entry.path, files });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The files that differ between `baseCommit` and `ref`, sorted by path, with before/after text
 * (`after: null` for a file `ref` deletes).
 */
export async function changedFiles(dir: string, baseCommit: string, ref: string): Promise<FileChange[]> {
  const gitdir = await gitDirOf(dir);
  const [baseTree, headTree] = await Promise.all([treeOf(gitdir, baseCommit), treeOf(gitdir, ref)]);
  const changes: FileChange[] = [];
  await diffTrees(gitdir, baseTree, headTree, '', changes);
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Recursive tree comparison that skips identical subtrees, so a large repo costs what changed. */
async function diffTrees(gitdir: string, a: string | null, b: string | null, prefix: string, changes: FileChange[]) {
  if (a === b) return;
  const left = new Map((a ? (await git.readTree({ fs, gitdir, oid: a })).tree : []).map((e) => [e.path, e]));
  const right = new Map((b ? (await git.readTree({ fs, gitdir, oid: b })).tree : []).map((e) => [e.path, e]));
  for (const [name, l] of left) {
    const r = right.get(name);
    if (!r || r.type !== l.type) {
      if (l.type !== 'tree' && l.type !== 'blob') continue;
      const gone =
        l.type === 'tree' ? await walk(gitdir, l.oid, `${prefix}${name}/`) : new Map([[prefix + name, l.oid]]);
      for (const [path, oid] of gone) changes.push({ path, before: await readText(gitdir, oid), after: null });
    }
  }
  for (const [name, r] of right) {
    const l = left.get(name);
    const same = l && l.type === r.type ? l : undefined;
    if (same?.oid === r.oid) continue;
    if (r.type === 'tree') await diffTrees(gitdir, same?.oid ?? null, r.oid, `${prefix}${name}/`, changes);
    else if (r.type === 'blob') {
      changes.push({
        path: prefix + name,
        before: same ? await readText(gitdir, same.oid) : null,
        after: await readText(gitdir, r.oid),
      });
    }
  }
}

/** path → blob oid of every file under a tree. */
async function walk(
  gitdir: string,
  tree: string,
  prefix: string,
  out = new Map<string, string>(),
): Promise<Map<string, string>> {
  for (const entry of (await git.readTree({ fs, gitdir, oid: tree })).tree) {
    if (entry.type === 'tree') await walk(gitdir, entry.oid, `${prefix}${entry.path}/`, out);
    else if (entry.type === 'blob') out.set(prefix + entry.path, entry.oid);
  }
  return out;
}

async function commitOf(gitdir: string, ref: string): Promise<string> {
  try {
    const oid = /^[0-9a-f]{40}$/.test(ref) ? ref : await git.resolveRef({ fs, gitdir, ref });
    return (await git.readCommit({ fs, gitdir, oid })).oid;
  } catch {
    throw new InputError(`${ref}: no such commit or ref in ${gitdir}`);
  }
}

async function treeOf(gitdir: string, ref: string): Promise<string> {
  const oid = await commitOf(gitdir, ref);
  return (await git.readCommit({ fs, gitdir, oid })).commit.tree;
}

async function readText(gitdir: string, oid: string): Promise<string> {
  return Buffer.from((await git.readBlob({ fs, gitdir, oid })).blob).toString('utf8');
}
