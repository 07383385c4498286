/**
 * The base branch a checkout's change is judged against, never the ref under test: a remote
 * tracking branch when there is one (what pull requests merge into, as last fetched), else the
 * local branch of that name.
 */
import fs from 'node:fs';
import git from 'isomorphic-git';
import { InputError } from '../model/errors.ts';
import { findCommit } from './history.ts';

export interface BaseBranch {
  /** As the user reads it: `origin/main`, `main`, or the ref they named. */
  ref: string;
  commit: string;
}

const REMOTE = 'origin';

/** `refs/remotes/origin/<name>` then `refs/heads/<name>`; a full ref or a sha as given. */
function candidates(name: string): Array<{ ref: string; full: string }> {
  if (/^[0-9a-f]{40}$/.test(name) || name.startsWith('refs/')) return [{ ref: name, full: name }];
  return [
    { ref: `${REMOTE}/${name}`, full: `refs/remotes/${REMOTE}/${name}` },
    { ref: name, full: `refs/heads/${name}` },
  ];
}

/** The branch the remote's HEAD names (`refs/remotes/origin/HEAD` → `main`), or null. */
async function remoteDefault(dir: string): Promise<string | null> {
  try {
    const target = await git.resolveRef({ fs, dir, ref: `refs/remotes/${REMOTE}/HEAD`, depth: 2 });
    const prefix = `refs/remotes/${REMOTE}/`;
    return target.startsWith(prefix) ? target.slice(prefix.length) : null;
  } catch {
    return null;
  }
}

/**
 * `name` when given; otherwise the remote's default branch, then `main`, then `master`. A remote
 * tracking branch wins over a local branch of the same name: a local branch may carry commits
 * nobody reviewed.
 */
export async function resolveBaseBranch(dir: string, name?: string): Promise<BaseBranch> {
  const fallback = await remoteDefault(dir);
  const names = name ? [name] : [...new Set([...(fallback ? [fallback] : []), 'main', 'master'])];
  const tried: string[] = [];
  for (const n of names) {
    for (const c of candidates(n)) {
      tried.push(c.ref);
      const commit = await findCommit(dir, c.full);
      if (commit) return { ref: c.ref, commit };
    }
  }
  throw new InputError(
    name
      ? `base branch ${name} is not in ${dir} (tried ${tried.join(', ')})`
      : `cannot tell the base branch of ${dir} (tried ${tried.join(', ')}): name it with --base <branch>`,
  );
}
