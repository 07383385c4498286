/**
 * salve's pull requests in a repo: what the caps count and what a new remediation supersedes.
 * Reads the 100 most recently created PRs, enough for caps of that order. A PR is salve's when
 * the App's bot opened it and its body carries salve's metadata; a `salve` label alone (anyone
 * with triage rights can add one) or copied metadata in someone else's PR does not make it one.
 */
import { labelNames, readMetadata, SUPERSEDED_MARKER } from './markers.ts';
import type { GitHubContext, PublishLimits, PullSummary } from './types.ts';

const HOUR_MS = 3_600_000;

export async function listSalvePulls(ctx: GitHubContext): Promise<PullSummary[]> {
  const { data } = await ctx.octokit.rest.pulls.list({
    ...ctx.repo,
    state: 'all',
    sort: 'created',
    direction: 'desc',
    per_page: 100,
  });
  return (data as PullSummary[]).filter((p) => isOwnPull(ctx, p));
}

export function isOwnPull(ctx: Pick<GitHubContext, 'botLogin'>, p: PullSummary): boolean {
  return p.user?.login === ctx.botLogin && labelNames(p.labels).includes('salve') && readMetadata(p.body) !== null;
}

/** Which cap, if any, forbids opening another PR now. */
export function capReached(
  pulls: PullSummary[],
  limits: PublishLimits,
  now: Date,
): { reason: 'open-pull-requests' | 'pull-requests-per-hour'; limit: number } | null {
  const open = pulls.filter((p) => p.state === 'open').length;
  if (open >= limits.openPullRequests) return { reason: 'open-pull-requests', limit: limits.openPullRequests };
  const since = now.getTime() - HOUR_MS;
  const recent = pulls.filter((p) => Date.parse(p.created_at) > since).length;
  if (recent >= limits.pullRequestsPerHour)
    return { reason: 'pull-requests-per-hour', limit: limits.pullRequestsPerHour };
  return null;
}

/**
 * Closes the other open salve PRs of the same workload (same fingerprint, another branch: opened
 * under the per-action branch names of earlier versions), each with a comment linking the new PR.
 * A workload keeps one open remediation.
 */
export async function closeSuperseded(
  ctx: GitHubContext,
  pulls: PullSummary[],
  current: { fingerprint: string; action: string; number: number; url: string; branch?: string },
): Promise<number[]> {
  const closed: number[] = [];
  for (const p of pulls) {
    if (p.state !== 'open' || p.number === current.number) continue;
    if (current.branch !== undefined && p.head.ref === current.branch) continue;
    const meta = readMetadata(p.body);
    if (!meta || meta.fingerprint !== current.fingerprint) continue;
    const what =
      meta.action === current.action
        ? `salve now proposes \`${current.action}\` for this workload on its own branch`
        : `salve now proposes \`${current.action}\` instead of \`${meta.action}\` for this incident`;
    await ctx.octokit.rest.issues.createComment({
      ...ctx.repo,
      issue_number: p.number,
      body: `${SUPERSEDED_MARKER}\nSuperseded by #${current.number} (${current.url}): ${what}. Closing this one: salve keeps one open remediation per workload.`,
    });
    await ctx.octokit.rest.pulls.update({ ...ctx.repo, pull_number: p.number, state: 'closed' });
    ctx.log.info({ pull: p.number, supersededBy: current.number }, 'closed superseded pull request');
    closed.push(p.number);
  }
  return closed;
}
