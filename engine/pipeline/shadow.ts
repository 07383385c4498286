/**
 * A shadow of the config repo with some files replaced, for `kustomize build` of the changed
 * overlay without touching the user's checkout and without copying the whole tree: directories on
 * the path to a changed file are real (their files copied, since kustomize refuses symlinked files
 * under its root); everything else is a symlink into the checkout.
 */
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { FileChange } from '../model/index.ts';

export interface Shadow {
  dir: string;
  cleanup(): Promise<void>;
}

export async function createShadow(repoDir: string, changes: readonly FileChange[]): Promise<Shadow> {
  const dir = await mkdtemp(join(tmpdir(), 'salve-shadow-'));
  const realDirs = new Set<string>(['']);
  // A changed file's directory is a kustomization root: kustomize refuses files under it reached
  // through a symlink (their real path is outside the root), so its subfolders are copied too.
  const copiedDirs = new Set(changes.map((c) => posix.dirname(c.path)).map((d) => (d === '.' ? '' : d)));
  for (const change of changes) {
    const parts = posix
      .dirname(change.path)
      .split('/')
      .filter((p) => p && p !== '.');
    for (let i = 1; i <= parts.length; i++) realDirs.add(parts.slice(0, i).join('/'));
  }
  try {
    for (const rel of [...realDirs].sort()) {
      const source = join(repoDir, rel);
      const target = join(dir, rel);
      await mkdir(target, { recursive: true });
      let entries: import('node:fs').Dirent[] = [];
      try {
        entries = await readdir(source, { withFileTypes: true });
      } catch {
        continue; // a directory the change creates
      }
      for (const entry of entries) {
        if (entry.name === '.git') continue;
        const childRel = rel ? `${rel}/${entry.name}` : entry.name;
        if (realDirs.has(childRel)) continue;
        if (entry.isDirectory() && copiedDirs.has(rel) && rel !== '')
          await cp(join(source, entry.name), join(target, entry.name), { recursive: true });
        else if (entry.isDirectory()) await symlink(join(source, entry.name), join(target, entry.name), 'dir');
        else await cp(join(source, entry.name), join(target, entry.name));
      }
    }
    for (const change of changes) await writeFile(join(dir, change.path), change.after);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
