/**
 * A salve branch belongs to salve only while it holds exactly one commit, authored by the App.
 * Anyone else's commit freezes it: salve stops pushing and says so once.
 */
import { reconcileAutoMerge } from './auto-merge.ts';
import { FROZEN_MARKER } from './markers.ts';
import type { GitHubContext, PullSummary } from './types.ts';

/** GitHub's own committer login on commits it creates (and signs) for API and web edits. */
const GITHUB_COMMITTER = 'web-flow';

export async function frozenBy(ctx: GitHubContext, pullNumber: number): Promise<string | null> {
  const { data: commits } = await ctx.octokit.rest.pulls.listCommits({
    ...ctx.repo,
    pull_number: pullNumber,
    per_page: 100,
  });
  if (commits.length > 1) return `${commits.length} commits on the branch`;
  for (const c of commits) {
    if (c.commit.author?.email && ctx.ownEmails?.includes(c.commit.author.email)) continue;
    const author = c.author?.login ?? c.commit.author?.name ?? 'unknown';
    if (author !== ctx.botLogin) return `commit ${c.sha.slice(0, 12)} by ${author}`;
    const committer = c.committer?.login ?? c.commit.committer?.name ?? 'unknown';
    if (committer !== ctx.botLogin && committer !== GITHUB_COMMITTER)
      return `commit ${c.sha.slice(0, 12)} committed by ${committer}`;
  }
  return null;
}

/**
 * Posts the freeze notice unless salve already did: its hidden marker in a comment by salve itself.
 * Anyone can paste the marker into a comment; one by someone else must not silence the notice.
 */
export async function noteFrozen(ctx: GitHubContext, pullNumber: number, reason: string): Promise<boolean> {
  const comments = await ctx.octokit.paginate(ctx.octokit.rest.issues.listComments, {
    ...ctx.repo,
    issue_number: pullNumber,
    per_page: 100,
  });
  if (comments.some((c) => c.user?.login === ctx.botLogin && c.body?.includes(FROZEN_MARKER))) return false;
  await ctx.octokit.rest.issues.createComment({
    ...ctx.repo,
    issue_number: pullNumber,
    body:
      `${FROZEN_MARKER}\nsalve found a change it did not make on this branch (${reason}) and will not push to it again. ` +
      'The branch is yours now: merge or close it as you see fit. salve will keep recording new occurrences elsewhere.',
  });
  return true;
}

/**
 * Someone other than salve pushed to one of its branches (GitHub's `pull_request.synchronize`,
 * `sender` = the pusher). Auto-merge, if armed, is disarmed at once: waiting for salve's next run
 * would let GitHub merge a commit no one reviewed. Returns whether the branch was frozen.
 */
export async function freezeOnForeignPush(
  ctx: GitHubContext,
  pr: PullSummary & { base?: { ref?: string } },
  pusher: string,
): Promise<boolean> {
  if (pusher === ctx.botLogin) return false;
  const armed = pr.auto_merge !== null && pr.auto_merge !== undefined;
  if (armed) await reconcileAutoMerge(ctx, { nodeId: pr.node_id, armed, baseBranch: pr.base?.ref ?? '' }, false);
  const said = await noteFrozen(ctx, pr.number, `a push by ${pusher}`);
  ctx.log.warn({ pull: pr.number, pusher, disarmed: armed, noticed: said }, 'branch frozen by a foreign push');
  return true;
}
