/**
 * A revert the PR caps hold back, as the merged PR says it: planned and waiting for a free PR slot
 * (which cap, its limit, when salve tries next, that a closing salve PR wakes it), then either
 * opened (a link) or given up (why), each time with the commands that open it by hand. The same
 * comment as held.ts (one per PR, edited): a reviewer reads one current answer, not a thread.
 */
import { code, inline } from '../../explain/markdown.ts';
import { counted } from '../../model/words.ts';
import type { PublishOutcome } from '../../publish/github/types.ts';
import { outcomeHeadline } from '../record.ts';
import type { FollowUpJob, Outcome } from '../types.ts';
import { pullLink } from './explain.ts';
import { byHandLines, REVERT_HELD_MARKER, type RevertedFiles, restoreLines } from './held.ts';
import type { RevertResult } from './hook.ts';

/** Marks a comment that says salve still means to open the revert (a restart that lost its job owes it). */
export const REVERT_WAITING_MARKER = '<!-- salve:revert-waiting -->';

/** What the hook planned when a cap held the revert: enough to say it and to give the commands. */
export interface RevertPlanned extends RevertedFiles {
  baseBranch: string;
  /** Policy's mode for the revert (the cap held it, not policy). */
  mode: string;
}

export type Capped = Extract<PublishOutcome, { kind: 'capped' }>;

/** The cap by name, and its limit with the `.salve.yaml` setting that sets it. */
export function capWords(cap: Pick<Capped, 'reason' | 'limit'>): { name: string; limit: string } {
  return cap.reason === 'open-pull-requests'
    ? {
        name: 'the open-PR cap',
        limit: `at most ${counted(cap.limit, 'salve PR')} open at once in this repository (${code('limits.openPullRequests')})`,
      }
    : {
        name: 'the hourly cap',
        limit: `at most ${counted(cap.limit, 'salve PR')} opened per hour in this repository (${code('limits.pullRequestsPerHour')})`,
      };
}

/** 2025-06-12 11:10 UTC */
const when = (t: Date | string) => `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function opening(job: FollowUpJob, outcome: Outcome, planned: RevertPlanned, cap: Capped, holds: string): string {
  const c = capWords(cap);
  return `This change was found ${inline(outcomeHeadline(outcome))}. salve planned its revert (${code(`salve/revert-pr-${job.pull}`)}) and policy allows it (**${planned.mode}**), but ${c.name} ${holds} it back: ${c.limit}.`;
}

export interface WaitingFacts {
  job: FollowUpJob;
  outcome: Outcome;
  planned: RevertPlanned;
  cap: Capped;
  /** The try that was held (1 is the first), of `maxTries`. */
  attempt: number;
  maxTries: number;
  nextAt: Date;
}

export function waitingComment(f: WaitingFacts): string {
  const lines = [
    REVERT_HELD_MARKER,
    REVERT_WAITING_MARKER,
    '### salve planned a revert: it waits for a free PR slot',
    '',
    opening(f.job, f.outcome, f.planned, f.cap, 'holds'),
    '',
    `salve tries again at ${when(f.nextAt)} (try ${f.attempt + 1} of ${f.maxTries}), and at once when one of salve's PRs in this repository closes. If the cap still holds it after try ${f.maxTries}, salve stops and says so here.`,
    '',
    ...restoreLines(f.planned, 'would restore'),
    '',
    ...byHandLines(f.job, f.planned, f.planned.baseBranch, 'To open it now without waiting'),
  ];
  return `${lines.join('\n')}\n`;
}

export interface GaveUpFacts extends Omit<WaitingFacts, 'nextAt' | 'maxTries'> {
  /** When the first try was held (absent for a revert kept by an older salve). */
  since?: string | undefined;
  at: Date;
}

export function gaveUpComment(f: GaveUpFacts): string {
  const span = f.since ? `, from ${when(f.since)} to ${when(f.at)}` : `, the last at ${when(f.at)}`;
  const lines = [
    REVERT_HELD_MARKER,
    '### salve stopped trying to open the revert',
    '',
    opening(f.job, f.outcome, f.planned, f.cap, 'held'),
    '',
    `It held every one of its ${counted(f.attempt, 'try', 'tries')}${span}. salve does not try again by itself: the revert is for a human to open now.`,
    '',
    ...restoreLines(f.planned, 'would restore'),
    '',
    ...byHandLines(f.job, f.planned, f.planned.baseBranch, 'To open it by hand'),
  ];
  return `${lines.join('\n')}\n`;
}

/** The revert the caps held back is open now (policy lets it merge without a human; approve has its own comment). */
export function openedComment(
  outcome: Outcome,
  planned: RevertedFiles & { mode: string },
  revert: { number: number; url: string },
  attempt: number,
): string {
  const lines = [
    REVERT_HELD_MARKER,
    '### salve opened the revert',
    '',
    `This change was found ${inline(outcomeHeadline(outcome))}. The PR caps held its revert back; salve opened it as ${pullLink({ pull: revert.number, url: revert.url })} on try ${attempt}, once a PR slot was free. Policy decided **${planned.mode}** for it.`,
    '',
    ...restoreLines(planned, 'restores'),
  ];
  return `${lines.join('\n')}\n`;
}

/** A waiting revert that will not open after all: the comment stops saying "waiting". */
export function stoppedComment(outcome: Outcome, why: string): string {
  return [
    REVERT_HELD_MARKER,
    '### salve no longer waits to open the revert',
    '',
    `This change was found ${inline(outcomeHeadline(outcome))}. The PR caps held its revert back; on its next try ${why}.`,
    '',
  ].join('\n');
}

/**
 * What the merged PR says once a revert the caps held back was tried again and not held: opened
 * (approve mode writes its own approval comment in the hook), a human's earlier answer, or a
 * finding (said in its own comment); null when the hook already said it.
 */
export function afterWaiting(outcome: Outcome, result: RevertResult, attempt: number): string | null {
  if (result.kind === 'finding')
    return stoppedComment(outcome, `salve found it cannot compute it: ${inline(result.reason)}`);
  if (result.kind !== 'published') return null;
  const pub = result.publish;
  if (pub.kind === 'held')
    return stoppedComment(
      outcome,
      `its revert PR #${pub.number} was found closed without merging: a human's answer, not reopened`,
    );
  if (!('url' in pub) || result.planned.mode === 'approve') return null;
  return openedComment(outcome, result.planned, pub, attempt);
}
