/**
 * What a computation read of a tree, to reuse its result on another commit: every path it asked the
 * tree about, with a signature of what the tree answered (kind, blob id, or a directory's names).
 * A computation that only reads through the tree and is deterministic gives the same result on
 * any tree where every recorded path still has the same signature, whatever else changed.
 */
import type { RepoTree } from './tree.ts';

/**
 * `<path>` to what the path is (`-` absent, `dir`, `<type>:<content id>`), and `<path>/` (a
 * directory listed) to its names: a directory only looked at is not signed by its listing, so a
 * thousand apps side by side do not depend on each other.
 */
export type ReadSet = Record<string, string>;

async function signature(tree: RepoTree, key: string): Promise<string> {
  if (key.endsWith('/')) return (await tree.children(key.slice(0, -1))).sort().join('/');
  const entry = await tree.lstat(key);
  if (!entry) return '-';
  return entry.type === 'dir' ? 'dir' : `${entry.type}:${await tree.contentId(key)}`;
}

/** `tree`, recording the paths read through it; `reads()` signs them (null after a whole-tree read). */
export function recording(tree: RepoTree): { tree: RepoTree; reads: () => Promise<ReadSet | null> } {
  const paths = new Set<string>();
  let whole = false;
  /** `fn` after noting `list` as read. */
  const noted =
    <T>(fn: (path: string) => Promise<T>) =>
    (path: string) => {
      paths.add(path);
      return fn(path);
    };
  const recorded: RepoTree = {
    where: tree.where,
    lstat: noted((p) => tree.lstat(p)),
    readLink: noted((p) => tree.readLink(p)),
    children: (dir) => {
      paths.add(`${dir}/`);
      return tree.children(dir);
    },
    contentId: noted((p) => tree.contentId(p)),
    readResolved: (list) => {
      for (const p of list) paths.add(p);
      return tree.readResolved(list);
    },
    files: () => {
      whole = true;
      return tree.files();
    },
  };
  const mayContain = tree.mayContain?.bind(tree);
  if (mayContain)
    recorded.mayContain = (list, words) => {
      for (const p of list) paths.add(p);
      return mayContain(list, words);
    };
  const reads = async () => {
    if (whole) return null;
    const out: ReadSet = {};
    for (const path of [...paths].sort()) out[path] = await signature(tree, path);
    return out;
  };
  return { tree: recorded, reads };
}

/** True when every path of `reads` reads the same in `tree`. */
export async function stillHolds(tree: RepoTree, reads: ReadSet): Promise<boolean> {
  for (const [path, sig] of Object.entries(reads)) if ((await signature(tree, path)) !== sig) return false;
  return true;
}
