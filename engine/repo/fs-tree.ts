/**
 * A directory as a RepoTree: for trees salve wrote itself (a materialised commit) and for callers
 * that hand `buildOverlay` or `loadConfig` a path. Links are read with lstat/readlink and followed
 * only inside the directory; `.git` and `node_modules` are not part of it.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RawEntry, RepoTree } from './tree.ts';

const SKIP = new Set(['.git', 'node_modules']);

async function readNoFollow(path: string): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export function directoryTree(dir: string): RepoTree {
  const root = resolve(dir);
  const abs = (path: string) => (path === '' ? root : join(root, path));
  const tree: RepoTree = {
    where: root,
    async lstat(path): Promise<RawEntry | null> {
      try {
        const s = await lstat(abs(path));
        const type = s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
        return { type, size: s.size };
      } catch {
        return null;
      }
    },
    async readLink(path) {
      return readlink(abs(path)).catch(() => null);
    },
    async children(path) {
      const names = await readdir(abs(path)).catch(() => [] as string[]);
      return path === '' ? names.filter((n) => !SKIP.has(n)) : names.filter((n) => n !== '.git');
    },
    async readResolved(paths) {
      const out = new Map<string, Buffer>();
      for (const path of paths) out.set(path, await readNoFollow(abs(path)));
      return out;
    },
    async contentId(path) {
      return createHash('sha256')
        .update(await readNoFollow(abs(path)))
        .digest('hex');
    },
    async files() {
      const out: Array<{ path: string; size: number }> = [];
      const walk = async (rel: string): Promise<void> => {
        for (const name of (await tree.children(rel)).sort()) {
          if (SKIP.has(name)) continue;
          const path = rel ? `${rel}/${name}` : name;
          const entry = await tree.lstat(path);
          if (entry?.type === 'dir') await walk(path);
          else if (entry?.type === 'file' || entry?.type === 'link') out.push({ path, size: entry.size });
        }
      };
      await walk('');
      return out;
    },
  };
  return tree;
}
