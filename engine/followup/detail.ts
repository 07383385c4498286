/**
 * The whole outcome (its score, reasons and observation) as a second hidden marker on the outcome
 * comment, for what GitHub must give back after a crash: the revert of a harmful change, explained
 * with its evidence. Read back as input (a comment can be edited): parsed against its schema,
 * bounded, and only from salve's own comment. Left out when it would not fit in a comment.
 */
import { z } from 'zod';
import type { GitHubContext } from '../publish/github/types.ts';
import type { OutcomeRecord } from './record.ts';
import type { Outcome } from './types.ts';

const PREFIX = '<!-- salve:outcome-detail ';
const SUFFIX = ' -->';
/** GitHub refuses comments over 65,536 characters. */
export const MAX_COMMENT = 65_000;

const Text = z.string().max(4000);
const Num = z.number().nullable();

const OutcomeSchema = z.object({
  kind: z.enum(['effective', 'ineffective', 'harmful', 'inconclusive']),
  score: z.object({
    health: z.number(),
    alerts: Num,
    metrics: z.array(z.object({ slo: Text, metric: Text, improvement: z.number() })).max(100),
    overall: z.number(),
  }),
  reasons: z.array(Text).max(100),
  observation: z.object({
    sync: z.object({
      application: Text.nullable(),
      settled: z.boolean(),
      revision: Text.nullable(),
      syncStatus: Text.nullable(),
      health: Text.nullable(),
      message: Text.optional(),
    }),
    pods: z
      .object({
        total: z.number(),
        ready: z.number(),
        restartsSinceSync: z.number(),
        oomsSinceSync: z.number(),
        failing: z.number(),
      })
      .nullable(),
    alerts: z
      .object({
        firingAtMerge: z.array(Text).max(100),
        stillFiring: z.array(Text).max(100),
        newFiring: z.array(Text).max(100),
      })
      .nullable(),
    slos: z
      .array(
        z.object({
          slo: Text,
          metric: z.enum(['error-rate', 'latency']),
          limit: z.number(),
          before: Num,
          after: Num,
        }),
      )
      .max(100),
    canaries: z
      .array(
        z.object({
          kind: z.enum(['AnalysisRun', 'Rollout', 'Canary']),
          name: Text,
          phase: Text,
          failed: z.boolean(),
          message: Text.optional(),
        }),
      )
      .max(100),
    gaps: z.array(Text).max(100),
  }),
  decidedAt: z.iso.datetime({ offset: true }),
});

export function detailMarker(o: Outcome): string {
  const json = JSON.stringify(o).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${PREFIX}${json}${SUFFIX}`;
}

/** The comment body with the detail marker when it fits, without it otherwise. */
export function withDetail(body: string, o: Outcome): string {
  const full = `${body}\n${detailMarker(o)}`;
  return full.length <= MAX_COMMENT ? full : body;
}

export function parseDetailMarker(body: string | null | undefined): Outcome | null {
  if (!body) return null;
  const start = body.lastIndexOf(PREFIX);
  const end = start < 0 ? -1 : body.indexOf(SUFFIX, start + PREFIX.length);
  if (end < 0) return null;
  try {
    const parsed = OutcomeSchema.safeParse(JSON.parse(body.slice(start + PREFIX.length, end)));
    return parsed.success ? (parsed.data as Outcome) : null;
  } catch {
    return null;
  }
}

/** The outcome salve's bot recorded on the PR for this merge, in full, or null. */
export async function outcomeDetailOfPull(
  ctx: GitHubContext,
  pull: number,
  decidedAt: string,
): Promise<Outcome | null> {
  const { data } = await ctx.octokit.rest.issues.listComments({ ...ctx.repo, issue_number: pull, per_page: 100 });
  let last: Outcome | null = null;
  for (const c of data) {
    if (c.user?.login !== ctx.botLogin) continue;
    const o = parseDetailMarker(c.body);
    if (o && o.decidedAt === decidedAt) last = o;
  }
  return last;
}

/**
 * An outcome recorded before the comment kept it in full: what the record says, and a gap naming
 * what is missing, so an explanation built from it says so rather than inventing an observation.
 */
export function outcomeFromRecord(r: OutcomeRecord): Outcome {
  return {
    kind: r.kind,
    score: { health: r.overall, alerts: null, metrics: [], overall: r.overall },
    reasons: [
      `recorded ${r.kind} on pull request #${r.pull} at ${r.decidedAt}; its evidence is in the outcome comment there`,
    ],
    observation: {
      sync: { application: null, settled: true, revision: null, syncStatus: null, health: null },
      pods: null,
      alerts: null,
      slos: [],
      canaries: [],
      gaps: ['the observation itself: the outcome comment does not carry it in full'],
    },
    decidedAt: r.decidedAt,
  };
}
