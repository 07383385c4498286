/**
 * salve's record of outcomes per (cluster, action), what trust is computed from. Kept in memory
 * (or a durable store), rebuilt from the markers of salve's outcome comments on GitHub when lost.
 */
import { isOwnPull } from '../publish/github/inventory.ts';
import type { GitHubContext, PullSummary } from '../publish/github/types.ts';
import { type OutcomeRecord, parseOutcomeMarker } from './record.ts';

export interface OutcomeStore {
  add(record: OutcomeRecord): Promise<void>;
  /** Every record of a repo, oldest first. */
  list(repo: string): Promise<OutcomeRecord[]>;
}

export function memoryOutcomeStore(max = 1000): OutcomeStore {
  const byRepo = new Map<string, OutcomeRecord[]>();
  return {
    async add(record) {
      const repo = record.repo;
      const list = (byRepo.get(repo) ?? []).filter((r) => r.pull !== record.pull);
      list.push(record);
      list.sort((a, b) => (a.decidedAt < b.decidedAt ? -1 : a.decidedAt > b.decidedAt ? 1 : a.pull - b.pull));
      byRepo.set(repo, list.slice(-max));
    },
    async list(repo) {
      return [...(byRepo.get(repo.toLowerCase()) ?? [])];
    },
  };
}

/** Outcome comments salve's bot wrote on a PR: the last one is the outcome. */
export async function outcomeOfPull(ctx: GitHubContext, pull: number): Promise<OutcomeRecord | null> {
  const { data } = await ctx.octokit.rest.issues.listComments({ ...ctx.repo, issue_number: pull, per_page: 100 });
  let last: OutcomeRecord | null = null;
  for (const c of data) {
    if (c.user?.login !== ctx.botLogin) continue;
    const r = parseOutcomeMarker(c.body);
    if (r && r.pull === pull) last = r;
  }
  return last;
}

/** salve's merged PRs (the 100 most recent salve PRs) and the outcome each has on GitHub, if any. */
export async function mergedPullsWithOutcomes(
  ctx: GitHubContext,
): Promise<Array<{ pull: PullSummary; outcome: OutcomeRecord | null }>> {
  const { data } = await ctx.octokit.rest.pulls.list({
    ...ctx.repo,
    state: 'closed',
    sort: 'updated',
    direction: 'desc',
    per_page: 100,
  });
  const merged = (data as PullSummary[]).filter((p) => p.merged_at && isOwnPull(ctx, p));
  const out: Array<{ pull: PullSummary; outcome: OutcomeRecord | null }> = [];
  for (const pull of merged) out.push({ pull, outcome: await outcomeOfPull(ctx, pull.number) });
  return out;
}
