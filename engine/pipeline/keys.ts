/** Trusted public keys committed in the config repo (`keys:` globs in .salve.yaml). */
import { readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { SalveConfig } from '../config/schema.ts';
import { globToRegExp } from '../repo/glob.ts';

/** Absolute paths of the files under `repoDir` that match the `keys:` globs, sorted. */
export async function repoKeyFiles(repoDir: string, config: SalveConfig): Promise<string[]> {
  const out: string[] = [];
  for (const pattern of config.keys) {
    const dir = posix.dirname(pattern);
    let names: string[] = [];
    try {
      names = await readdir(join(repoDir, dir));
    } catch {
      continue;
    }
    const re = globToRegExp(pattern);
    for (const name of names) if (re.test(posix.join(dir, name))) out.push(join(repoDir, dir, name));
  }
  return [...new Set(out)].sort();
}
