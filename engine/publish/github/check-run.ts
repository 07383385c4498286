/** The `salve/policy` check run: the decision, the rules that fired and the proof digest. */
import { cell, cellCode } from '../../explain/markdown.ts';
import type { PolicyDecision } from '../../model/index.ts';
import type { GitHubContext } from './types.ts';

export const CHECK_NAME = 'salve/policy';
const MAX_SUMMARY = 65_535;

export type CheckConclusion = 'success' | 'failure' | 'neutral';

export function conclusionOf(decision: PolicyDecision): CheckConclusion {
  if (!decision.allowed) return 'failure';
  return decision.mode === 'observe' ? 'neutral' : 'success';
}

export function checkSummary(decision: PolicyDecision, proofDigest: string): string {
  const head = [
    `**Decision:** ${decision.allowed ? 'allowed' : 'denied'}, mode \`${decision.mode}\``,
    `**Proof digest:** \`${proofDigest}\``,
    '',
    '| rule | effect | message |',
    '| --- | --- | --- |',
  ];
  // Rule ids and messages can come from a config repo's own policies: rendered inert, as in the PR.
  const lines = decision.rules.map((r) => `| ${cellCode(r.id)} | ${r.effect} | ${cell(r.message)} |`);
  if (lines.length === 0) lines.push('| (none) | | |');
  let text = [...head, ...lines].join('\n');
  if (text.length > MAX_SUMMARY) {
    const note = '\n\n… truncated; the full decision is in the proof.';
    text = text.slice(0, MAX_SUMMARY - note.length) + note;
  }
  return text;
}

export async function reportCheck(
  ctx: GitHubContext,
  headSha: string,
  decision: PolicyDecision,
  proofDigest: string,
): Promise<CheckConclusion> {
  const conclusion = conclusionOf(decision);
  await ctx.octokit.rest.checks.create({
    ...ctx.repo,
    name: CHECK_NAME,
    head_sha: headSha,
    status: 'completed',
    conclusion,
    completed_at: ctx.now.toISOString(),
    output: {
      title: `${decision.allowed ? 'allowed' : 'denied'}: ${decision.mode}`,
      summary: checkSummary(decision, proofDigest),
    },
  });
  return conclusion;
}
