/**
 * Builds a git tree from a base tree plus file changes (no index, no checkout): one `git cat-file`
 * reads the trees on the changed paths and the files changed, and only those trees are written
 * again; every other subtree keeps its id. A deleted file's entry is removed, and so is a directory
 * the deletions leave empty, as git does (it records no empty trees).
 */
import { type FileChange, PublishError } from '../model/index.ts';
import { type GitObject, readObjects, writeObject } from './objects.ts';
import { editTree, findEntries, type TreeEdit, type TreeEntry } from './tree-format.ts';

interface Node {
  files: Map<string, FileChange>;
  dirs: Map<string, Node>;
}

function group(changes: FileChange[]): Node {
  const root: Node = { files: new Map(), dirs: new Map() };
  for (const change of changes) {
    const parts = change.path.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..' || p === '.git' || /[\0\n]/.test(p))) {
      throw new PublishError(`file change path is not a clean repo-relative path: ${change.path}`);
    }
    let node = root;
    for (const dir of parts.slice(0, -1)) {
      let next = node.dirs.get(dir);
      if (!next) {
        next = { files: new Map(), dirs: new Map() };
        node.dirs.set(dir, next);
      }
      node = next;
    }
    const name = parts.at(-1) as string;
    if (node.files.has(name)) throw new PublishError(`file change listed twice: ${change.path}`);
    node.files.set(name, change);
  }
  return root;
}

/** Every directory on a changed path and every changed file, as paths from the root. */
function pathsOf(node: Node, prefix: string, out: { dirs: string[]; files: string[] }) {
  for (const name of node.files.keys()) out.files.push(prefix + name);
  for (const [name, child] of node.dirs) {
    out.dirs.push(prefix + name);
    pathsOf(child, `${prefix}${name}/`, out);
  }
  return out;
}

const KINDS: Record<string, string> = { '40000': 'tree', '160000': 'commit' };
const kindOf = (entry: TreeEntry) => KINDS[entry.mode] ?? 'blob';

/** The id of the tree at `prefix` once edited, null when nothing is left in it (but the root). */
async function build(
  gitdir: string,
  objects: ReadonlyMap<string, GitObject>,
  oid: string | null,
  node: Node,
  prefix: string,
): Promise<string | null> {
  const base = oid ? objects.get(oid) : undefined;
  if (oid && base?.type !== 'tree') throw new PublishError(`${prefix || 'the root'}: tree ${oid} could not be read`);
  const body = base?.body ?? Buffer.alloc(0);
  const entries = findEntries(body, [...node.files.keys(), ...node.dirs.keys()]);
  const edits: TreeEdit[] = [];
  for (const [name, change] of node.files) {
    const path = prefix + name;
    const existing = entries.get(name);
    if (existing && kindOf(existing) !== 'blob')
      throw new PublishError(`${path}: is a ${kindOf(existing)} at the base commit, not a file`);
    if (change.before === null && change.after === null)
      throw new PublishError(`${path}: a change adds, edits or deletes a file; this one does none`);
    const current = existing ? (objects.get(existing.oid)?.body.toString('utf8') ?? null) : null;
    if (existing && current === null) throw new PublishError(`${path}: blob ${existing.oid} could not be read`);
    if (current !== change.before) {
      const was = current === null ? 'absent' : 'different';
      throw new PublishError(`${path}: the base commit does not match the change's "before" (file is ${was} at base)`);
    }
    const blob = change.after === null ? null : await writeObject(gitdir, 'blob', Buffer.from(change.after, 'utf8'));
    edits.push({ mode: existing?.mode ?? '100644', name, oid: blob });
  }
  for (const [name, child] of node.dirs) {
    const existing = entries.get(name);
    if (existing && kindOf(existing) !== 'tree')
      throw new PublishError(`${prefix}${name}: is a file at the base commit, not a directory`);
    const sub = await build(gitdir, objects, existing?.oid ?? null, child, `${prefix}${name}/`);
    edits.push({ mode: '40000', name, oid: sub });
  }
  const tree = editTree(body, edits);
  return tree.length === 0 && prefix !== '' ? null : writeObject(gitdir, 'tree', tree);
}

/**
 * The id of `base`'s tree with every change applied (`base`: the id of a commit, or of a tree
 * unless `commit` is asked); each change's `before` must match the base.
 */
export async function applyChanges(
  gitdir: string,
  base: string,
  changes: FileChange[],
  options: { commit?: boolean } = {},
): Promise<string> {
  const wanted = options.commit ? 'commit' : 'commit or tree';
  if (!/^[0-9a-f]{40}$/.test(base)) throw new PublishError(`not a ${wanted} id: ${base}`);
  const root = group(changes);
  const { dirs, files } = pathsOf(root, '', { dirs: [], files: [] });
  const specs = [base, `${base}^{tree}`, ...[...dirs, ...files].map((p) => `${base}:${p}`)];
  const [self, rootTree, ...read] = await readObjects(gitdir, specs);
  const ok = self?.type === 'commit' || (self?.type === 'tree' && !options.commit);
  if (!ok || !rootTree) throw new PublishError(`${base} is not a ${wanted} in ${gitdir}`);
  const objects = new Map<string, GitObject>();
  for (const o of [rootTree, ...read]) if (o) objects.set(o.oid, o);
  return (await build(gitdir, objects, rootTree.oid, root, '')) as string;
}
