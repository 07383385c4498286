/** The Action's reports: annotations as workflow commands, the job summary, and step outputs. */
import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { EOL } from 'node:os';
import * as core from '@actions/core';
import { counted } from '../model/words.ts';
import type { PolicyTestReport } from '../policy/index.ts';
import type { Verdict } from '../verify/index.ts';
import type { ScopeProblem } from '../verify/scope.ts';
import type { ActionEnv } from './inputs.ts';
import type { Annotation } from './types.ts';

export function emitAnnotations(annotations: readonly Annotation[]): void {
  for (const a of annotations) {
    const props = { title: a.title, ...(a.file ? { file: a.file } : {}), ...(a.line ? { startLine: a.line } : {}) };
    if (a.level === 'error') core.error(a.message, props);
    else if (a.level === 'warning') core.warning(a.message, props);
    else core.notice(a.message, props);
  }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '&#124;');
}

function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

export interface SummaryParts {
  policyTests: PolicyTestReport | null;
  threshold: number;
  verdicts: readonly Verdict[];
  scope: readonly ScopeProblem[];
  notes: readonly string[];
}

/** The job summary as markdown/HTML, built with the toolkit's summary builder. */
export function renderSummary(parts: SummaryParts): string {
  const s = core.summary.emptyBuffer().addHeading('salve: policy tests and remediation verification', 2);
  const t = parts.policyTests;
  if (t) {
    const ok = t.failed === 0 && t.coverage >= parts.threshold;
    s.addRaw(
      `<p>${ok ? '✅' : '❌'} Policy tests: ${t.passed} passed, ${t.failed} failed; coverage ${t.coverage}% (threshold ${parts.threshold}%)</p>`,
      true,
    );
    if (t.failures.length > 0)
      s.addList(t.failures.map((f) => `${code(f.file)} ${escapeHtml(f.test)}: ${escapeHtml(f.message)}`));
  }
  if (parts.verdicts.length > 0) {
    s.addTable([
      ['Remediation', 'Action', 'Target', 'Mode', 'Rules', 'Verdict'].map((data) => ({ data, header: true })),
      ...parts.verdicts.map((v) => [
        code(v.id),
        escapeHtml(v.action ?? '?'),
        escapeHtml(v.target ?? '?'),
        escapeHtml(v.mode ?? '?'),
        v.rules && v.rules.length > 0 ? v.rules.map(code).join(' ') : 'none',
        v.ok ? '✅ verified' : `❌ ${counted(v.errors.length, 'problem')}`,
      ]),
    ]);
    for (const v of parts.verdicts.filter((x) => !x.ok)) {
      s.addHeading(`❌ ${escapeHtml(v.id)}`, 3).addList(
        v.errors.map((e) => `${code(e.file)}: ${escapeHtml(e.reason)}`),
      );
    }
  }
  if (parts.scope.length > 0) {
    s.addHeading('❌ Changes outside the signed remediations', 3).addList(
      parts.scope.map((p) => `${code(p.file)}: ${escapeHtml(p.reason)}`),
    );
  }
  for (const note of parts.notes) s.addRaw(`<p>${escapeHtml(note)}</p>`, true);
  const markdown = s.stringify();
  s.emptyBuffer();
  return markdown;
}

/** Appends to the job summary file (`GITHUB_STEP_SUMMARY`); nothing when it is not set. */
export async function writeSummary(env: ActionEnv, markdown: string): Promise<void> {
  if (env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, markdown, 'utf8');
}

/** Sets step outputs in the `GITHUB_OUTPUT` file, in the runner's heredoc format. */
export async function setOutputs(env: ActionEnv, outputs: Record<string, string>): Promise<void> {
  const file = env.GITHUB_OUTPUT;
  if (!file) return;
  let text = '';
  for (const [name, value] of Object.entries(outputs)) {
    const delimiter = `ghadelimiter_${randomUUID()}`;
    text += `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
  }
  await appendFile(file, text, 'utf8');
}
