/** Builds a git tree from a base tree plus file changes, writing blobs and trees directly (no index, no checkout). */
import fs from 'node:fs';
import git, { type TreeEntry } from 'isomorphic-git';
import { type FileChange, PublishError } from '../model/index.ts';

interface Node {
  files: Map<string, FileChange>;
  dirs: Map<string, Node>;
}

function group(changes: FileChange[]): Node {
  const root: Node = { files: new Map(), dirs: new Map() };
  for (const change of changes) {
    const parts = change.path.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..' || p === '.git')) {
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

async function readEntries(gitdir: string, oid: string | null): Promise<TreeEntry[]> {
  if (!oid) return [];
  const { tree } = await git.readTree({ fs, gitdir, oid });
  return tree;
}

async function readText(gitdir: string, oid: string): Promise<string> {
  const { blob } = await git.readBlob({ fs, gitdir, oid });
  return Buffer.from(blob).toString('utf8');
}

async function build(gitdir: string, oid: string | null, node: Node, prefix: string): Promise<string> {
  const entries = new Map((await readEntries(gitdir, oid)).map((e) => [e.path, e]));
  for (const [name, change] of node.files) {
    const path = prefix + name;
    const existing = entries.get(name);
    if (existing && existing.type !== 'blob')
      throw new PublishError(`${path}: is a ${existing.type} at the base commit, not a file`);
    const current = existing ? await readText(gitdir, existing.oid) : null;
    if (current !== change.before) {
      const was = current === null ? 'absent' : 'different';
      throw new PublishError(`${path}: the base commit does not match the change's "before" (file is ${was} at base)`);
    }
    const blob = await git.writeBlob({ fs, gitdir, blob: Buffer.from(change.after, 'utf8') });
    entries.set(name, { mode: existing?.mode ?? '100644', path: name, oid: blob, type: 'blob' });
  }
  for (const [name, child] of node.dirs) {
    const existing = entries.get(name);
    if (existing && existing.type !== 'tree')
      throw new PublishError(`${prefix}${name}: is a file at the base commit, not a directory`);
    const sub = await build(gitdir, existing?.oid ?? null, child, `${prefix}${name}/`);
    entries.set(name, { mode: '040000', path: name, oid: sub, type: 'tree' });
  }
  return git.writeTree({ fs, gitdir, tree: [...entries.values()] });
}

/** The oid of `baseTree` with every change applied; each change's `before` must match the base. */
export async function applyChanges(gitdir: string, baseTree: string, changes: FileChange[]): Promise<string> {
  return build(gitdir, baseTree, group(changes), '');
}
