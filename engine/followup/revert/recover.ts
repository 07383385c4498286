/**
 * The restart path of the revert: a harmful outcome recorded on the PR (its comment and check run)
 * whose revert never got opened, because salve stopped between the two. GitHub is the record: a
 * revert is owed when the merged PR's outcome is harmful, no PR was ever opened from its revert
 * branch (open, closed or merged: a closed one is a human's answer), and salve said on the PR
 * neither why it opens none nor that policy held it (nor that it gave up waiting for a PR slot: a
 * comment that says it still waits is no answer, so a restart that lost the waiting job owes it).
 * Every replica may ask; the publish path opens one PR per branch.
 */
import { REVERT_REMEDIATION } from '../../actions/revert-remediation/index.ts';
import type { GitHubContext } from '../../publish/github/types.ts';
import type { OutcomeRecord } from '../record.ts';
import type { FollowUpJob } from '../types.ts';
import { revertBranch } from './assemble.ts';
import { REVERT_HELD_MARKER } from './held.ts';
import { REVERT_FINDING_MARKER } from './hook.ts';
import { REVERT_WAITING_MARKER } from './waiting.ts';

export async function revertOwed(gh: GitHubContext, job: FollowUpJob, record: OutcomeRecord): Promise<boolean> {
  if (record.kind !== 'harmful' || record.mergeSha !== job.mergeSha) return false;
  if (job.remediation.action === REVERT_REMEDIATION) return false;
  const { data: pulls } = await gh.octokit.rest.pulls.list({
    ...gh.repo,
    head: `${gh.repo.owner}:${revertBranch(job.pull)}`,
    state: 'all',
    per_page: 100,
  });
  if (pulls.length > 0) return false;
  const { data: comments } = await gh.octokit.rest.issues.listComments({
    ...gh.repo,
    issue_number: job.pull,
    per_page: 100,
  });
  return !comments.some(
    (c) =>
      c.user?.login === gh.botLogin &&
      (c.body?.includes(REVERT_FINDING_MARKER) ||
        (c.body?.includes(REVERT_HELD_MARKER) && !c.body.includes(REVERT_WAITING_MARKER))),
  );
}
