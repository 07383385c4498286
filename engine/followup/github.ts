/** What the follow-up asks GitHub besides recording: is a revision the merge commit's descendant? */
import type { GitHubContext, RepoRef } from '../publish/github/types.ts';

/** GitHub's compare API: `merge...revision` is `ahead` or `identical` when revision descends from merge. */
export function descendantViaGitHub(
  ctx: (repo: RepoRef) => Promise<GitHubContext>,
): (repo: RepoRef, mergeSha: string, revision: string) => Promise<boolean> {
  return async (repo, mergeSha, revision) => {
    const c = await ctx(repo);
    const { data } = await c.octokit.rest.repos.compareCommitsWithBasehead({
      ...c.repo,
      basehead: `${mergeSha}...${revision}`,
      per_page: 1,
    });
    return data.status === 'ahead' || data.status === 'identical';
  };
}
