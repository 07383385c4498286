/**
 * Where an outcome lasts: a `salve/outcome` check run on the PR's head and a comment on the PR,
 * carrying a hidden versioned marker from which salve's own outcome record is rebuilt when lost.
 * Everything the cluster or Prometheus said is rendered inert.
 */
import { z } from 'zod';
import { cell, cellCode } from '../explain/markdown.ts';
import { counted } from '../model/words.ts';
import type { GitHubContext } from '../publish/github/types.ts';
import { withDetail } from './detail.ts';
import type { FollowUpJob, Outcome, OutcomeKind } from './types.ts';

export const OUTCOME_CHECK = 'salve/outcome';
const PREFIX = '<!-- salve:outcome ';
const SUFFIX = ' -->';
const MAX_BODY = 60_000;

/** The durable part of an outcome: what trust is computed from. */
export const OutcomeRecord = z.object({
  version: z.literal(1),
  /** owner/name */
  repo: z.string().min(3).max(200),
  pull: z.number().int().positive(),
  remediation: z.string().min(1),
  action: z.string().min(1),
  cluster: z.string().min(1),
  namespace: z.string().min(1),
  kind: z.enum(['effective', 'ineffective', 'harmful', 'inconclusive']),
  overall: z.number().min(0).max(1),
  mergeSha: z.string().regex(/^[0-9a-f]{40}$/),
  decidedAt: z.iso.datetime({ offset: true }),
});
export type OutcomeRecord = z.infer<typeof OutcomeRecord>;

export function outcomeRecord(job: FollowUpJob, o: Outcome): OutcomeRecord {
  const t = job.remediation.target;
  return {
    version: 1,
    repo: `${job.repo.owner}/${job.repo.repo}`.toLowerCase(),
    pull: job.pull,
    remediation: job.remediation.id,
    action: job.remediation.action,
    cluster: t.cluster,
    namespace: t.namespace,
    kind: o.kind,
    overall: o.score.overall,
    mergeSha: job.mergeSha,
    decidedAt: o.decidedAt,
  };
}

export function outcomeMarker(r: OutcomeRecord): string {
  const json = JSON.stringify(OutcomeRecord.parse(r)).replace(
    /[<>&]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${PREFIX}${json}${SUFFIX}`;
}

/** The outcome record in a comment body, or null when there is none or it does not read. */
export function parseOutcomeMarker(body: string | null | undefined): OutcomeRecord | null {
  if (!body) return null;
  const start = body.lastIndexOf(PREFIX);
  const end = start < 0 ? -1 : body.indexOf(SUFFIX, start + PREFIX.length);
  if (end < 0) return null;
  try {
    const parsed = OutcomeRecord.safeParse(JSON.parse(body.slice(start + PREFIX.length, end)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const CONCLUSION: Record<OutcomeKind, 'success' | 'failure' | 'neutral'> = {
  effective: 'success',
  ineffective: 'failure',
  harmful: 'failure',
  inconclusive: 'neutral',
};

const num = (x: number | null) => (x === null ? 'no data' : String(Number(x.toPrecision(4))));

const scoreParts = (o: Outcome) =>
  `health ${o.score.health}, alerts ${o.score.alerts ?? 'n/a'}, ${counted(o.score.metrics.length, 'SLO query', 'SLO queries')}`;

/**
 * The outcome in one line. A harm decides the outcome whatever the score says (a failed canary
 * with every pod ready still scores 1), so a harmful line names the harm and says it overrides
 * the score, lest "harmful (score 1)" read as a fix that scored perfectly.
 */
export function outcomeHeadline(o: Outcome): string {
  if (o.kind !== 'harmful') return `${o.kind} (score ${o.score.overall})`;
  const harm = o.reasons[0] ?? 'a harm';
  return `harmful: ${harm} (the harm overrides the score ${o.score.overall} of pods/alerts/SLOs)`;
}

function scoreLine(o: Outcome): string {
  const parts = `(${scoreParts(o)})`;
  if (o.kind !== 'harmful') return `Score ${o.score.overall} ${parts}, decided ${o.decidedAt}.`;
  return `The harm below decides the outcome and overrides the score ${o.score.overall} of pods/alerts/SLOs ${parts}, decided ${o.decidedAt}.`;
}

export function outcomeMarkdown(job: FollowUpJob, o: Outcome): string {
  const obs = o.observation;
  const lines = [
    `### salve follow-up: **${o.kind}**`,
    '',
    scoreLine(o),
    '',
    ...o.reasons.map((r) => `- ${cell(r)}`),
    '',
    '| what | observed |',
    '| --- | --- |',
    `| Application | ${cellCode(obs.sync.application ?? 'not found')} ${cell(obs.sync.syncStatus ?? '')} ${cell(obs.sync.health ?? '')} at ${cellCode((obs.sync.revision ?? 'unknown').slice(0, 12))} |`,
  ];
  if (obs.pods)
    lines.push(
      `| pods | ${obs.pods.ready}/${obs.pods.total} ready, ${obs.pods.restartsSinceSync} restarted and ${obs.pods.oomsSinceSync} OOM-killed since the sync, ${obs.pods.failing} failing |`,
    );
  if (obs.alerts)
    lines.push(
      `| alerts | firing at merge: ${cell(obs.alerts.firingAtMerge.join(', ') || 'none')}; still firing: ${cell(obs.alerts.stillFiring.join(', ') || 'none')}; new: ${cell(obs.alerts.newFiring.join(', ') || 'none')} |`,
    );
  for (const s of obs.slos)
    lines.push(
      `| SLO ${cell(s.slo)} ${s.metric} | before ${num(s.before)}, after ${num(s.after)}, limit ${num(s.limit)} |`,
    );
  for (const c of obs.canaries)
    lines.push(`| ${c.kind} ${cellCode(c.name)} | ${cell(c.phase)} ${cell(c.message ?? '')} |`);
  lines.push('', `Merge commit \`${job.mergeSha.slice(0, 12)}\`, remediation \`${cell(job.remediation.id)}\`.`);
  let text = lines.join('\n');
  if (text.length > MAX_BODY) text = `${text.slice(0, MAX_BODY)}\n\n… truncated`;
  return text;
}

/**
 * Writes the check run and the comment. The comment carries the marker the record is rebuilt from,
 * and the whole outcome when it fits (detail.ts), from which a revert lost to a crash is rebuilt.
 */
export async function recordOutcome(ctx: GitHubContext, job: FollowUpJob, o: Outcome): Promise<OutcomeRecord> {
  const record = outcomeRecord(job, o);
  const text = outcomeMarkdown(job, o);
  await ctx.octokit.rest.checks.create({
    ...ctx.repo,
    name: OUTCOME_CHECK,
    head_sha: job.headSha,
    status: 'completed',
    conclusion: CONCLUSION[o.kind],
    completed_at: o.decidedAt,
    output: { title: outcomeHeadline(o).slice(0, 200), summary: text },
  });
  await ctx.octokit.rest.issues.createComment({
    ...ctx.repo,
    issue_number: job.pull,
    body: withDetail(`${text}\n\n${outcomeMarker(record)}`, o),
  });
  return record;
}
