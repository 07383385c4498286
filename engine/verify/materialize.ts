/** Writes the tree of one commit into a temp directory, for `kustomize build` at that commit. */
import fs from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import git from 'isomorphic-git';

export interface Materialized {
  dir: string;
  cleanup(): Promise<void>;
}

/** Only paths under `prefixes` (repo-relative; empty means everything) are written. */
export async function materialize(repoDir: string, commit: string, prefixes: string[] = []): Promise<Materialized> {
  const dir = await mkdtemp(join(tmpdir(), 'salve-tree-'));
  const wanted = (path: string) =>
    prefixes.length === 0 || prefixes.some((p) => path === p || path.startsWith(`${p}/`) || p.startsWith(`${path}/`));
  try {
    await git.walk({
      fs,
      dir: repoDir,
      trees: [git.TREE({ ref: commit })],
      map: async (path, [entry]) => {
        if (!entry || path === '.') return true;
        if (!wanted(path)) return null;
        const type = await entry.type();
        if (type === 'tree') return true;
        if (type !== 'blob') return null;
        const target = join(dir, path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, Buffer.from((await entry.content()) ?? new Uint8Array()));
        return true;
      },
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
