/** The PR (title, body, labels) and the committed explanation of a remediation, from templates. */
import type { PrMetadata, PullRequestContent, Remediation } from '../model/remediation.ts';
import { metadataComment } from './metadata.ts';
import { renderTemplate } from './templates.ts';
import { buildView, FULL, type ViewLimits } from './view.ts';

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
const TRUNCATED = '\n\n_This description was cut to fit GitHub; the full explanation is in the commit._\n';

/** The labels every salve PR carries: `salve`, `salve/action:<id>`, `salve/mode:<mode>`. */
export function salveLabels(action: string, mode: string): string[] {
  return ['salve', `salve/action:${action}`, `salve/mode:${mode}`];
}

export function labelsFor(rem: Remediation): string[] {
  return salveLabels(rem.action.id, rem.decision.mode);
}

export function renderPullRequest(rem: Remediation, opts: RenderOptions): PullRequestContent {
  const extra = opts.mergeNote === undefined ? {} : { mergeNote: opts.mergeNote };
  const title = renderTemplate('pr-title.hbs', opts.templateDirs, buildView(rem, FULL, { ...extra, plainText: true }))
    .replace(/\s+/g, ' ')
    .trim();
  const meta = `\n\n${metadataComment(opts.metadata)}\n`;
  const budget = MAX_BODY - meta.length;
  const render = (limits: ViewLimits) =>
    renderTemplate('pr-body.hbs', opts.templateDirs, buildView(rem, limits, extra)).trimEnd();
  let body = render(FULL);
  if (body.length > budget) {
    const fewer = { samples: 1, diffChars: 0 };
    const frame = render(fewer).length;
    body = render({ ...fewer, diffChars: Math.max(0, budget - frame - 200) });
  }
  if (body.length > budget)
    body = body.slice(0, budget - TRUNCATED.length).replace(/\n[^\n]*$/, '') + TRUNCATED.trimEnd();
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
