/** What the follow-up asks GitHub besides recording: is a revision the merge commit's descendant? */
import type { GitHubContext } from '../publish/github/types.ts';
import type { DescendantCheck } from './application.ts';

/** GitHub's compare API: `merge...revision` is `ahead` or `identical` when revision descends from merge. */
export function descendantViaGitHub(ctx: () => Promise<GitHubContext>): DescendantCheck {
  return async (mergeSha, revision) => {
    const c = await ctx();
    const { data } = await c.octokit.rest.repos.compareCommitsWithBasehead({
      ...c.repo,
      basehead: `${mergeSha}...${revision}`,
      per_page: 1,
    });
    return data.status === 'ahead' || data.status === 'identical';
  };
}
