/** What a change's commits touch: changed paths, ancestry, and the commit that first changed a file. */
import fs from 'node:fs';
import git from 'isomorphic-git';
import { InputError } from '../model/errors.ts';

/** The commit a ref or sha names, as a full sha, or null when there is none. */
export async function findCommit(dir: string, ref: string): Promise<string | null> {
  try {
    const oid = /^[0-9a-f]{40}$/.test(ref) ? ref : await git.resolveRef({ fs, dir, ref });
    return (await git.readCommit({ fs, dir, oid })).oid;
  } catch {
    return null;
  }
}

/** The commit a ref or sha names, as a full sha; an InputError naming the ref (and `hint`) when absent. */
export async function resolveCommit(dir: string, ref: string, hint = ''): Promise<string> {
  const oid = await findCommit(dir, ref);
  if (!oid) throw new InputError(`commit ${ref} is not in ${dir}${hint ? `: ${hint}` : ''}`);
  return oid;
}

export async function mergeBase(dir: string, a: string, b: string): Promise<string | null> {
  const bases = (await git.findMergeBase({ fs, dir, oids: [a, b] })) as string[];
  return bases[0] ?? null;
}

/** True when `ancestor` is `commit` or reachable from it. */
export async function isAncestor(dir: string, ancestor: string, commit: string): Promise<boolean> {
  if (ancestor === commit) return true;
  try {
    return await git.isDescendent({ fs, dir, oid: commit, ancestor, depth: -1 });
  } catch {
    return false;
  }
}

/** Paths of the files that differ between two commits (added, changed or deleted), sorted. */
export async function changedPaths(dir: string, from: string, to: string): Promise<string[]> {
  const out: string[] = [];
  await git.walk({
    fs,
    dir,
    trees: [git.TREE({ ref: from }), git.TREE({ ref: to })],
    map: async (path, [a, b]) => {
      if (path === '.') return true;
      const [oidA, oidB] = await Promise.all([a?.oid(), b?.oid()]);
      if (oidA === oidB) return null;
      const [typeA, typeB] = await Promise.all([a?.type(), b?.type()]);
      if (typeA === 'tree' || typeB === 'tree') {
        if (typeA === 'blob') out.push(path);
        if (typeB === 'blob') out.push(path);
        return true;
      }
      out.push(path);
      return true;
    },
  });
  return [...new Set(out)].sort();
}

async function blobAt(dir: string, commit: string, filepath: string): Promise<string | null> {
  try {
    return (await git.readBlob({ fs, dir, oid: commit, filepath })).oid;
  } catch {
    return null;
  }
}

/**
 * The oldest commit on the first-parent line from `head` down to `stop` (exclusive) that changed
 * `filepath`, with its first parent. null when none did.
 */
export async function firstChange(
  dir: string,
  head: string,
  stop: string,
  filepath: string,
): Promise<{ commit: string; parent: string } | null> {
  let found: { commit: string; parent: string } | null = null;
  let oid = head;
  for (let i = 0; i < 1000 && oid !== stop; i++) {
    const parent = (await git.readCommit({ fs, dir, oid })).commit.parent[0];
    if (!parent) break;
    if ((await blobAt(dir, oid, filepath)) !== (await blobAt(dir, parent, filepath))) found = { commit: oid, parent };
    oid = parent;
  }
  return found;
}
