/** Where a repository's git directory is: `<dir>/.git` for a checkout, `dir` itself for a bare repo. */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../model/index.ts';

export async function gitDirOf(dir: string): Promise<string> {
  const dotGit = join(dir, '.git');
  if (await isDir(dotGit)) return dotGit;
  if ((await isDir(join(dir, 'objects'))) && (await isDir(join(dir, 'refs')))) return dir;
  throw new InputError(`${dir}: not a git repository (no .git directory, not a bare repo)`);
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
