/** Every file, directory and link under a directory with its mode and content digest: "nothing was written" made checkable. */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export async function treeSnapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(rel: string): Promise<void> {
    const path = join(root, rel);
    const st = await lstat(path);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out.set(rel, `link ${mode} ${await readlink(path)}`);
    else if (st.isDirectory()) {
      out.set(rel || '.', `dir ${mode}`);
      for (const name of (await readdir(path)).sort()) await walk(rel ? `${rel}/${name}` : name);
    } else {
      const digest = createHash('sha256')
        .update(await readFile(path))
        .digest('hex');
      out.set(rel, `file ${mode} ${st.size} ${digest} ${st.mtimeMs}`);
    }
  }
  await walk('');
  return out;
}
