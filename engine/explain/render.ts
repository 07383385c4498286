/** The PR (title, body, labels) and the committed explanation of a remediation, from templates. */
import type { PrMetadata, PullRequestContent, Remediation } from '../model/remediation.ts';
import { metadataComment } from './metadata.ts';
import { renderTemplate } from './templates.ts';
import { unifiedDiff } from './unified-diff.ts';
import { buildView, explanationPath, FULL, type ViewLimits } from './view.ts';

export interface RenderOptions {
  /** Config-repo template folders first; the first holding a template wins, the built-ins come last. */
  templateDirs: string[];
  metadata: PrMetadata;
  /** Replaces the default "What merging does" sentence (e.g. when the publisher knows auto-merge failed to arm). */
  mergeNote?: string;
}

/** GitHub rejects PR bodies over 65,536 characters; stay well below with room for publisher markers. */
export const MAX_BODY = 60_000;
const MAX_TITLE = 256;

/** The labels every salve PR carries: `salve`, `salve/action:<id>`, `salve/mode:<mode>`. */
export function salveLabels(action: string, mode: string): string[] {
  return ['salve', `salve/action:${action}`, `salve/mode:${mode}`];
}

export function labelsFor(rem: Remediation): string[] {
  return salveLabels(rem.action.id, rem.decision.mode);
}

/**
 * Shorter and shorter renderings, least important first: fewer sample signals, then shorter free
 * text (rule messages last); the decision, the rule ids and the diff stay. The diff is cut last.
 */
const LADDER: readonly ViewLimits[] = [
  FULL,
  { ...FULL, samples: 1, textBytes: 2048 },
  { ...FULL, samples: 0, textBytes: 512, ruleBytes: 1024 },
  { ...FULL, samples: 0, textBytes: 160, ruleBytes: 256 },
  { ...FULL, samples: 0, textBytes: 64, ruleBytes: 64 },
];

export function renderPullRequest(rem: Remediation, opts: RenderOptions): PullRequestContent {
  const extra = opts.mergeNote === undefined ? {} : { mergeNote: opts.mergeNote };
  const title = renderTemplate('pr-title.hbs', opts.templateDirs, buildView(rem, FULL, { ...extra, plainText: true }))
    .replace(/\s+/g, ' ')
    .trim();
  const meta = `\n\n${metadataComment(opts.metadata)}\n`;
  const budget = MAX_BODY - meta.length;
  const diff = rem.files.map((f) => unifiedDiff(f)).join('');
  const render = (limits: ViewLimits) =>
    renderTemplate('pr-body.hbs', opts.templateDirs, buildView(rem, limits, { ...extra, diff })).trimEnd();
  let body = '';
  for (const [step, limits] of LADDER.entries()) {
    body = render(limits);
    if (body.length <= budget) break;
    // Samples and long texts go before the diff is cut; shorter texts still only if the rest cannot fit.
    if (step < 2) continue;
    const frame = render({ ...limits, diffChars: 0 }).length;
    if (frame + 1_000 <= budget) {
      body = render({ ...limits, diffChars: budget - frame - 500 });
      if (body.length <= budget) break;
    }
  }
  if (body.length > budget) {
    // Only a config repo's own template can get here (the built-in one fits by the ladder above).
    const note = `\n\n_This description was cut to fit GitHub; the full explanation is \`${explanationPath(rem)}\` on branch \`${rem.branch}\`._`;
    body = body.slice(0, budget - note.length).replace(/\n[^\n]*$/, '') + note;
  }
  return {
    title: title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE - 1)}…` : title,
    body: body + meta,
    labels: labelsFor(rem),
  };
}

/** The markdown committed as `.salve/remediations/<id>/explanation.md`. */
export function renderExplanation(rem: Remediation, opts: RenderOptions): string {
  const extra = opts.mergeNote === undefined ? {} : { mergeNote: opts.mergeNote };
  return `${renderTemplate('explanation.hbs', opts.templateDirs, buildView(rem, FULL, extra)).trimEnd()}\n`;
}
