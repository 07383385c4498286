/**
 * Writes a remediation commit through the Git Data API (blobs, a tree on `base_tree`, a commit, the
 * ref). No author, committer or signature is given, so GitHub signs it and marks it Verified.
 * The commit always has exactly one parent, the base: an update replaces the branch's commit.
 * A deleted file is a tree entry with a null sha, as the API takes it.
 */
import { PublishError } from '../../model/index.ts';
import type { PublishRequest } from '../../model/remediation.ts';
import type { GitHubContext } from './types.ts';

export async function createRemediationCommit(ctx: GitHubContext, req: PublishRequest): Promise<string> {
  const { octokit, repo } = ctx;
  const base = await octokit.rest.git.getCommit({ ...repo, commit_sha: req.baseCommit });
  const tree = [];
  for (const file of req.files) {
    if (file.after === null) {
      tree.push({ path: file.path, mode: '100644' as const, type: 'blob' as const, sha: null });
      continue;
    }
    const blob = await octokit.rest.git.createBlob({
      ...repo,
      content: Buffer.from(file.after, 'utf8').toString('base64'),
      encoding: 'base64',
    });
    tree.push({ path: file.path, mode: '100644' as const, type: 'blob' as const, sha: blob.data.sha });
  }
  const newTree = await octokit.rest.git.createTree({ ...repo, base_tree: base.data.tree.sha, tree });
  const commit = await octokit.rest.git.createCommit({
    ...repo,
    message: req.commitMessage,
    tree: newTree.data.sha,
    parents: [req.baseCommit],
  });
  return commit.data.sha;
}

/** The branch's head commit, or null when the branch does not exist. */
export async function branchHead(ctx: GitHubContext, branch: string): Promise<string | null> {
  try {
    const ref = await ctx.octokit.rest.git.getRef({ ...ctx.repo, ref: `heads/${branch}` });
    return ref.data.object.sha;
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

/** Points the branch at `sha`, creating it or force-moving it. */
export async function writeBranch(ctx: GitHubContext, branch: string, sha: string, exists: boolean): Promise<void> {
  if (exists) {
    await ctx.octokit.rest.git.updateRef({ ...ctx.repo, ref: `heads/${branch}`, sha, force: true });
  } else {
    await ctx.octokit.rest.git.createRef({ ...ctx.repo, ref: `refs/heads/${branch}`, sha });
  }
}

/** Removes a branch salve made; used to undo a half-made PR. A missing branch is fine. */
export async function deleteBranch(ctx: GitHubContext, branch: string): Promise<void> {
  try {
    await ctx.octokit.rest.git.deleteRef({ ...ctx.repo, ref: `heads/${branch}` });
  } catch (err) {
    if (statusOf(err) !== 404 && statusOf(err) !== 422) throw err;
  }
}

export function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number'
    ? err.status
    : undefined;
}

/** Wraps an Octokit failure into a PublishError naming the step and repo. */
export function publishFailure(ctx: GitHubContext, step: string, err: unknown): PublishError {
  const status = statusOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  return new PublishError(
    `${ctx.repo.owner}/${ctx.repo.repo}: ${step} failed${status ? ` (HTTP ${status})` : ''}: ${detail}`,
    { cause: err },
  );
}
