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

/**
 * True when the branch requires at least one status check, by classic branch protection or by a
 * ruleset. Read with the App's least privileges: the branch (contents: read) carries a summary of
 * its protection, and the rules that apply to a branch need metadata: read. (The protection
 * endpoint itself would need administration: read, which salve does not ask for.)
 */
export async function hasRequiredChecks(ctx: GitHubContext, branch: string): Promise<boolean> {
  try {
    const { data } = await ctx.octokit.rest.repos.getBranch({ ...ctx.repo, branch });
    const checks = data.protection?.required_status_checks;
    if (
      checks &&
      checks.enforcement_level !== 'off' &&
      ((checks.contexts?.length ?? 0) > 0 || (checks.checks?.length ?? 0) > 0)
    )
      return true;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
    return false;
  }
  try {
    const { data } = await ctx.octokit.rest.repos.getBranchRules({ ...ctx.repo, branch, per_page: 100 });
    return data.some(
      (rule) =>
        rule.type === 'required_status_checks' &&
        ((rule as { parameters?: { required_status_checks?: unknown[] } }).parameters?.required_status_checks?.length ??
          0) > 0,
    );
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
