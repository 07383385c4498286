/**
 * "Why revert": the follow-up's evidence (its reasons, score, Application, pods, alerts, SLOs and
 * canaries, as the outcome comment shows them), what the revert restores, why policy allows it,
 * and the diff. Everything that came from the cluster, Prometheus, Alertmanager or the repository
 * is rendered inert; the one link is to the reverted PR, and only when it is a GitHub PR URL.
 */
import { cell, code, codeBlock, inline } from '../../explain/markdown.ts';
import { unifiedDiff } from '../../explain/unified-diff.ts';
import { counted } from '../../model/words.ts';
import { outcomeMarkdown } from '../record.ts';
import type { FollowUpJob, Outcome } from '../types.ts';
import type { RevertEvaluated } from './plan.ts';

const PULL_URL = /^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/pull\/\d+$/;
const MAX_DIFF = 30_000;

export function pullLink(job: Pick<FollowUpJob, 'pull' | 'url'>): string {
  return PULL_URL.test(job.url) ? `[#${job.pull}](${job.url})` : `#${job.pull}`;
}

function value(v: unknown): string {
  return v === null || v === undefined ? '(absent)' : JSON.stringify(v);
}

export function revertExplanation(ev: RevertEvaluated, job: FollowUpJob, outcome: Outcome, baseCommit: string): string {
  const p = ev.params;
  const t = job.remediation.target;
  const where = `${t.kind} ${code(`${t.namespace}/${t.name}`)} in cluster ${code(t.cluster)}`;
  const lines = [
    `## Why revert`,
    '',
    `salve's remediation ${pullLink(job)} (${code(job.remediation.id)}, action ${code(p.action)} on ${where}) merged as ${code(p.mergeCommit.slice(0, 12))}, and its follow-up found it **harmful**. This pull request puts back what ran before it.`,
    '',
    outcomeMarkdown(job, outcome).replace(/^### /, '#### '),
    '',
    '## What this change does',
    '',
  ];
  if (p.files.length > 0)
    lines.push(
      `Restores ${counted(p.files.length, 'file')} of overlay ${code(ev.resolution.overlay)} to ${p.files.length === 1 ? 'its' : 'their'} bytes at ${code(p.parentCommit.slice(0, 12))}, the merge's parent, based on ${code(baseCommit.slice(0, 12))}. None of them changed since the merge.`,
      '',
      ...p.files.map((f) => `- ${code(f)}`),
      '',
    );
  if (p.added.length > 0)
    lines.push(
      p.files.length > 0
        ? `Deletes ${counted(p.added.length, 'file')} the merge added, unchanged since, as \`git revert -m 1\` would:`
        : `Deletes ${counted(p.added.length, 'file')} of overlay ${code(ev.resolution.overlay)} the merge added (it changed no other file), based on ${code(baseCommit.slice(0, 12))}, unchanged since, as \`git revert -m 1\` would:`,
      '',
      ...p.added.map((f) => `- ${code(f)}`),
      '',
    );
  lines.push('Rendered change (the inverse of the merged one, recomputed from both commits):', '');
  lines.push('| object | field | now | after the revert |', '| --- | --- | --- | --- |');
  for (const f of ev.diff.fields)
    lines.push(
      `| ${cell(`${f.kind}/${f.name}`)} | ${code(f.path)} | ${code(value(f.before))} | ${code(value(f.after))} |`,
    );
  for (const o of ev.diff.objects)
    lines.push(
      `| ${cell(`${o.kind}/${o.name}`)} | (whole object) | ${o.op === 'remove' ? 'present' : 'absent'} | ${o.op === 'remove' ? 'removed' : 'added'} |`,
    );
  lines.push(
    '',
    '## Why allowed',
    '',
    `Decision: **${ev.decision.mode}**${ev.decision.allowed ? '' : ' (denied)'}.`,
    '',
  );
  lines.push('| rule | effect | message |', '| --- | --- | --- |');
  for (const r of ev.decision.rules) lines.push(`| ${code(r.id)} | ${r.effect} | ${cell(r.message)} |`);
  let diff = ev.files.map((f) => unifiedDiff(f)).join('');
  if (diff.length > MAX_DIFF) diff = `${diff.slice(0, MAX_DIFF)}\n… cut: the full change is on the branch\n`;
  lines.push('', '## Diff', '', codeBlock(diff, 'diff'), '');
  lines.push(`Reverts ${pullLink(job)}. ${inline(`Outcome decided ${outcome.decidedAt}.`)}`);
  return `${lines.join('\n')}\n`;
}
