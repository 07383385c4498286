/**
 * GitHub's native auto-merge, armed only for `automate` decisions whose salve check passed and only
 * when the base branch has required status checks (so a human-defined gate still stands).
 */
import { statusOf } from './commit.ts';
import type { GitHubContext } from './types.ts';

const ENABLE = `mutation($id: ID!) {
  enablePullRequestAutoMerge(input: { pullRequestId: $id, mergeMethod: SQUASH }) { clientMutationId }
}`;
const DISABLE = `mutation($id: ID!) {
  disablePullRequestAutoMerge(input: { pullRequestId: $id }) { clientMutationId }
}`;

/** True when the branch is protected with at least one required status check. */
export async function hasRequiredChecks(ctx: GitHubContext, branch: string): Promise<boolean> {
  try {
    const { data } = await ctx.octokit.rest.repos.getStatusChecksProtection({ ...ctx.repo, branch });
    return (data.contexts?.length ?? 0) > 0 || (data.checks?.length ?? 0) > 0;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw err;
  }
}

export type AutoMergeState = 'armed' | 'disarmed' | 'unchanged';

export async function reconcileAutoMerge(
  ctx: GitHubContext,
  pr: { nodeId: string; armed: boolean; baseBranch: string },
  wanted: boolean,
): Promise<AutoMergeState> {
  if (wanted && !pr.armed) {
    if (!(await hasRequiredChecks(ctx, pr.baseBranch))) return 'unchanged';
    await ctx.octokit.graphql(ENABLE, { id: pr.nodeId });
    return 'armed';
  }
  if (!wanted && pr.armed) {
    await ctx.octokit.graphql(DISABLE, { id: pr.nodeId });
    return 'disarmed';
  }
  return 'unchanged';
}
