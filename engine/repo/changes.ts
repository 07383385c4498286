/**
 * A RepoTree with some files replaced, added or deleted: the "after" side of a remediation, read and
 * built without writing anything anywhere. A change's path must be clean and must not go through (or
 * replace) a symbolic link or a file of the base tree, so what is built is what will be committed.
 */
import { createHash } from 'node:crypto';
import { ConfigError, InputError, quote } from '../model/errors.ts';
import type { FileChange } from '../model/index.ts';
import { counted } from '../model/words.ts';
import { cleanPath, parentOf } from './paths.ts';
import type { RawEntry, RepoTree } from './tree.ts';

export async function withChanges(base: RepoTree, changes: readonly FileChange[]): Promise<RepoTree> {
  const files = new Map<string, Buffer>();
  const dirs = new Map<string, Set<string>>();
  const gone = new Set<string>();
  for (const change of changes) {
    const path = cleanPath(change.path, 'file change path');
    const parts = path.split('/');
    if (change.after === null) {
      if ((await base.lstat(path))?.type !== 'file')
        throw new InputError(`cannot delete ${quote(path)}: not a file in ${base.where}`, { code: 'unsafe-path' });
      gone.add(path);
      continue;
    }
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const entry = await base.lstat(prefix);
      const last = i === parts.length;
      if (entry?.type === 'link' || (entry && entry.type !== (last ? 'file' : 'dir'))) {
        const is = entry.type === 'link' ? 'a symbolic link' : `a ${entry.type === 'other' ? 'submodule' : entry.type}`;
        throw new InputError(`cannot write ${quote(path)}: ${quote(prefix)} is ${is} in ${base.where}`, {
          code: 'unsafe-path',
        });
      }
      const parent = parentOf(prefix);
      dirs.set(parent, (dirs.get(parent) ?? new Set()).add(parts[i - 1] as string));
    }
    files.set(path, Buffer.from(change.after, 'utf8'));
  }
  return {
    where: `${base.where} with ${counted(changes.length, 'change')}`,
    async lstat(path): Promise<RawEntry | null> {
      const file = files.get(path);
      if (file) return { type: 'file', size: file.length };
      if (dirs.has(path)) return { type: 'dir', size: 0 };
      return gone.has(path) ? null : base.lstat(path);
    },
    readLink: (path) => (files.has(path) || dirs.has(path) ? Promise.resolve(null) : base.readLink(path)),
    async children(dir) {
      const own = dirs.get(dir);
      const theirs = (await base.lstat(dir))?.type === 'dir' ? await base.children(dir) : [];
      const kept = theirs.filter((name) => !gone.has(dir === '' ? name : `${dir}/${name}`));
      return [...new Set([...kept, ...(own ?? [])])];
    },
    async readResolved(paths) {
      const out = new Map<string, Buffer>();
      const absent = paths.find((p) => gone.has(p));
      if (absent !== undefined)
        throw new ConfigError(`${absent} is not a file in ${base.where} once the change deletes it`, {
          code: 'not-a-file',
        });
      const rest = paths.filter((p) => !files.has(p));
      const theirs = rest.length > 0 ? await base.readResolved(rest) : new Map<string, Buffer>();
      for (const p of paths) out.set(p, files.get(p) ?? (theirs.get(p) as Buffer));
      return out;
    },
    async contentId(path) {
      const file = files.get(path);
      return file ? `sha256:${createHash('sha256').update(file).digest('hex')}` : base.contentId(path);
    },
    async files() {
      const theirs = (await base.files()).filter((f) => !files.has(f.path) && !gone.has(f.path));
      const ours = [...files].map(([path, bytes]) => ({ path, size: bytes.length }));
      return [...theirs, ...ours].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
  };
}
