/**
 * The history a revert is computed from, read with git from the config repo checkout: the merge
 * commit's first parent, what the merge changed, and what moved since.
 */
import { locateGit, runTool, type Tool } from '../../tools/index.ts';

const SHA = /^[0-9a-f]{40}$/;

function git(dir: string, args: string[], tool?: Tool) {
  return runTool(tool ?? locateGit(), ['-C', dir, '-c', 'core.fsmonitor=false', ...args], {
    env: { GIT_OPTIONAL_LOCKS: '0' },
    allowFailure: true,
  });
}

/** The commit's first parent, or null when the commit (or its parent) is not in the checkout. */
export async function firstParent(dir: string, commit: string, tool?: Tool): Promise<string | null> {
  if (!SHA.test(commit)) return null;
  const r = await git(dir, ['rev-parse', '--verify', '--quiet', `${commit}^1^{commit}`], tool);
  const sha = r.stdout.trim();
  return r.code === 0 && SHA.test(sha) ? sha : null;
}

export async function isAncestor(dir: string, ancestor: string, of: string, tool?: Tool): Promise<boolean> {
  return (await git(dir, ['merge-base', '--is-ancestor', ancestor, of], tool)).code === 0;
}

export interface TreeChange {
  /** A added, M modified, D deleted, T type changed (to or from a link or submodule). */
  status: string;
  path: string;
}

/** Files that differ between two commits, without rename detection, sorted by path. */
export async function changedBetween(dir: string, from: string, to: string, tool?: Tool): Promise<TreeChange[]> {
  const r = await git(dir, ['diff-tree', '-r', '-z', '--no-renames', '--name-status', from, to], tool);
  if (r.code !== 0) throw new Error(`git diff-tree ${from.slice(0, 12)} ${to.slice(0, 12)} failed: ${r.stderr.trim()}`);
  const parts = r.stdout.split('\0').filter((p) => p !== '');
  const out: TreeChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) out.push({ status: parts[i] as string, path: parts[i + 1] as string });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Commit time (ISO), or null. */
export async function commitTime(dir: string, commit: string, tool?: Tool): Promise<string | null> {
  const r = await git(dir, ['show', '-s', '--format=%cI', commit], tool);
  return r.code === 0 ? r.stdout.trim() || null : null;
}
