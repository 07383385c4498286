/**
 * When policy holds the revert of a harmful change (observe, or denied), the merged PR says so:
 * the revert salve planned, the rules that held it and why, the files it would restore, and the
 * commands a human runs to open it by hand. When a human must merge the opened revert, the merged
 * PR links it and names the rules that ask for a human. One comment per PR, carrying a marker: a
 * rerun edits it when something changed and leaves it alone otherwise.
 */
import { cell, code, codeBlock, inline } from '../../explain/markdown.ts';
import type { PolicyRule } from '../../model/index.ts';
import { counted } from '../../model/words.ts';
import type { GitHubContext } from '../../publish/github/types.ts';
import { outcomeHeadline } from '../record.ts';
import type { FollowUpJob, Outcome } from '../types.ts';
import { pullLink } from './explain.ts';
import type { RevertEvaluated } from './plan.ts';

export const REVERT_HELD_MARKER = '<!-- salve:revert-held -->';
const MAX_FILES = 50;

/** The revert's files and commits, as a comment names them. */
export type RevertedFiles = Pick<RevertEvaluated['params'], 'files' | 'parentCommit' | 'mergeCommit'> &
  Partial<Pick<RevertEvaluated['params'], 'added'>>;

/** The rules that held the revert: the denials, what made it observe-only, or what asks a human to merge it. */
export function holdingRules(ev: Pick<RevertEvaluated, 'decision'>): PolicyRule[] {
  const { decision } = ev;
  const effect = !decision.allowed ? 'deny' : decision.mode === 'observe' ? 'advisory' : 'require-approval';
  const held = decision.rules.filter((r) => r.effect === effect);
  return held.length > 0 ? held : decision.rules;
}

/** A branch name outside `salve/`, so that salve never takes a human's branch for its own half-made PR. */
export const manualBranch = (pull: number) => `revert-pr-${pull}`;

/** A branch name that is safe to paste into a shell as it is; anything else shows as a placeholder. */
const shellSafe = (branch: string) => (/^[A-Za-z0-9._/-]{1,200}$/.test(branch) ? branch : '<base-branch>');

export function heldComment(ev: RevertEvaluated, job: FollowUpJob, outcome: Outcome, baseBranch: string): string {
  const p = ev.params;
  const verdict = ev.decision.allowed
    ? `policy decided **${ev.decision.mode}**: salve proposes nothing itself here`
    : 'policy **denied** it';
  const lines = [
    REVERT_HELD_MARKER,
    '### salve planned a revert and did not open it',
    '',
    `This change was found ${inline(outcomeHeadline(outcome))}. salve planned its revert (${code(`salve/revert-pr-${job.pull}`)}), and ${verdict}.`,
    '',
    ...ruleRows(ev),
    '',
    ...restoreLines(p, 'would restore'),
    '',
    ...byHandLines(job, p, baseBranch, 'To open it by hand'),
  ];
  return `${lines.join('\n')}\n`;
}

/** What the revert restores: the files, to the merge's first parent. */
export function restoreLines(p: RevertedFiles, verb: 'would restore' | 'restores'): string[] {
  const added = p.added ?? [];
  const lines: string[] = [];
  if (p.files.length > 0 || added.length === 0) {
    lines.push(
      `It ${verb} ${counted(p.files.length, 'file')} to ${p.files.length === 1 ? 'its' : 'their'} bytes at ${code(p.parentCommit.slice(0, 12))}, the merge's first parent:`,
      '',
      ...p.files.slice(0, MAX_FILES).map((f) => `- ${code(f)}`),
    );
    if (p.files.length > MAX_FILES) lines.push(`- … and ${p.files.length - MAX_FILES} more`);
  }
  if (added.length > 0) {
    const lead =
      lines.length > 0
        ? `and deletes ${counted(added.length, 'file')} the merge added:`
        : `It ${verb === 'restores' ? 'deletes' : 'would delete'} ${counted(added.length, 'file')} the merge added (it changed no other file):`;
    if (lines.length > 0) lines.push('');
    lines.push(lead, '');
    lines.push(...added.slice(0, MAX_FILES).map((f) => `- ${code(f)}`));
    if (added.length > MAX_FILES) lines.push(`- … and ${added.length - MAX_FILES} more`);
  }
  return lines;
}

/** The commands a human runs to open the revert, on a branch outside `salve/`. */
export function byHandLines(
  job: Pick<FollowUpJob, 'pull'>,
  p: Pick<RevertedFiles, 'mergeCommit'>,
  baseBranch: string,
  lead: string,
): string[] {
  const base = shellSafe(baseBranch);
  return [
    `${lead} (this reverts the whole merge, the record salve added under \`.salve/remediations/\` too):`,
    '',
    codeBlock(
      [
        `git fetch origin ${base}`,
        `git switch -c ${manualBranch(job.pull)} origin/${base}`,
        `git revert --no-edit -m 1 ${p.mergeCommit}`,
        `git push origin ${manualBranch(job.pull)}`,
      ].join('\n'),
      'sh',
    ),
  ];
}

const ruleRows = (ev: RevertEvaluated) => [
  '| rule | effect | why |',
  '| --- | --- | --- |',
  ...holdingRules(ev).map((r) => `| ${code(r.id)} | ${r.effect} | ${cell(r.message)} |`),
];

/** The revert is open and waits for a human: where it is, and which rules ask for the human. */
export function approvalComment(
  ev: RevertEvaluated,
  outcome: Outcome,
  revert: { number: number; url: string },
): string {
  const p = ev.params;
  const lines = [
    REVERT_HELD_MARKER,
    '### salve opened the revert: a human merges it',
    '',
    `This change was found ${inline(outcomeHeadline(outcome))}. salve opened its revert ${pullLink({ pull: revert.number, url: revert.url })}, and policy asks a human to merge it:`,
    '',
    ...ruleRows(ev),
    '',
    ...restoreLines(p, 'restores'),
  ];
  return `${lines.join('\n')}\n`;
}

/** Posts the comment, or edits salve's earlier one when it says something else; never a second one. */
export async function noteHeld(
  gh: GitHubContext,
  job: FollowUpJob,
  body: string,
): Promise<'created' | 'updated' | 'unchanged'> {
  const { data } = await gh.octokit.rest.issues.listComments({ ...gh.repo, issue_number: job.pull, per_page: 100 });
  const mine = data.find((c) => c.user?.login === gh.botLogin && c.body?.includes(REVERT_HELD_MARKER));
  if (mine?.body === body) return 'unchanged';
  if (mine) {
    await gh.octokit.rest.issues.updateComment({ ...gh.repo, comment_id: mine.id, body });
    return 'updated';
  }
  await gh.octokit.rest.issues.createComment({ ...gh.repo, issue_number: job.pull, body });
  return 'created';
}
