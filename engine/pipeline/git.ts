/** The few git reads the pipeline needs at the edge: HEAD, the current branch, one blob at a commit, what is uncommitted. */
import fs from 'node:fs';
import git from 'isomorphic-git';
import { InputError } from '../model/errors.ts';
import { locateGit, runTool, type Tool } from '../tools/index.ts';

export async function readBlobAt(dir: string, commit: string, path: string): Promise<string | null> {
  try {
    const { blob } = await git.readBlob({ fs, dir, oid: commit, filepath: path });
    return Buffer.from(blob).toString('utf8');
  } catch {
    return null;
  }
}

export async function headOf(dir: string): Promise<{ commit: string; branch: string }> {
  try {
    const commit = await git.resolveRef({ fs, dir, ref: 'HEAD' });
    const branch = (await git.currentBranch({ fs, dir, fullname: false })) ?? 'main';
    return { commit, branch };
  } catch (cause) {
    throw new InputError(`${dir} is not a git repository with at least one commit`, { cause });
  }
}

/** The origin remote's URL without credentials, or null. */
export async function originUrl(dir: string): Promise<string | null> {
  const remotes = await git.listRemotes({ fs, dir });
  const origin = remotes.find((r) => r.remote === 'origin');
  return origin ? origin.url.replace(/\/\/[^@/]+@/, '//') : null;
}

/**
 * Paths with uncommitted changes (modified, added, deleted or untracked) in the working tree, from
 * `git status`; [] when there is no working tree to compare. Never takes the index lock.
 */
export async function uncommittedPaths(dir: string, git?: Tool): Promise<string[]> {
  try {
    const { stdout } = await runTool(
      git ?? locateGit(),
      [
        '-C',
        dir,
        '-c',
        'core.fsmonitor=false',
        'status',
        '--porcelain=v1',
        '-z',
        '--untracked-files=all',
        '--no-renames',
      ],
      { env: { GIT_OPTIONAL_LOCKS: '0' } },
    );
    return stdout
      .split('\0')
      .filter((r) => r.length > 3)
      .map((r) => r.slice(3));
  } catch {
    return [];
  }
}
