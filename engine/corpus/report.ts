/** The corpus report: one line per invariant, violations as a table, skips counted by reason, per test bed totals. */
import type { CaseResult, SkipResult } from './case.ts';
import { INVARIANTS } from './invariants.ts';
import type { CorpusResult } from './run.ts';

export interface Totals {
  cases: number;
  violations: number;
  skips: number;
}

export function violationsOf(result: CorpusResult): Array<CaseResult & { invariant: string; detail: string }> {
  return result.cases.flatMap((c) =>
    c.checks.filter((k) => !k.ok).map((k) => ({ ...c, invariant: k.invariant, detail: k.detail ?? '' })),
  );
}

export function totalsByTestbed(result: CorpusResult): Map<string, Totals> {
  const out = new Map<string, Totals>();
  const get = (name: string) => {
    const t = out.get(name) ?? { cases: 0, violations: 0, skips: 0 };
    out.set(name, t);
    return t;
  };
  for (const c of result.cases) {
    const t = get(c.testbed);
    t.cases++;
    t.violations += c.checks.filter((k) => !k.ok).length;
  }
  for (const s of result.skips) get(s.testbed).skips++;
  return out;
}

/** A skip reason with names and numbers taken out, so alike skips count together. */
function skipClass(s: SkipResult): string {
  return `${s.action}: ${s.reason
    .replace(/^(init )?container \S+: /, '')
    .replace(/(init )?container \S+/g, 'container')
    .replace(/\([^)]*\)/g, '(…)')
    .replace(/\b[\w.-]*\d[\w.-]*\b/g, 'N')
    .replace(/ \| .*/, '')}`;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

export function formatReport(result: CorpusResult, options: { detailWidth?: number } = {}): string {
  const lines: string[] = [];
  for (const invariant of INVARIANTS) {
    const checks = result.cases.flatMap((c) => c.checks.filter((k) => k.invariant === invariant));
    const bad = checks.filter((k) => !k.ok).length;
    lines.push(`${invariant.padEnd(17)} checked ${checks.length}, violations ${bad}`);
  }
  const violations = violationsOf(result);
  lines.push('', `violations: ${violations.length}`);
  if (violations.length > 0) {
    lines.push('repo | overlay | workload | container | action | invariant | detail');
    for (const v of violations) {
      const detail = clip(v.detail, options.detailWidth ?? 400);
      lines.push(
        `${v.testbed} | ${v.overlay} | ${v.workload} | ${v.container} | ${v.action} | ${v.invariant} | ${detail}`,
      );
    }
  }
  const classes = new Map<string, { count: number; example: SkipResult }>();
  for (const s of result.skips) {
    const seen = classes.get(skipClass(s));
    classes.set(skipClass(s), { count: (seen?.count ?? 0) + 1, example: seen?.example ?? s });
  }
  lines.push('', `skips: ${result.skips.length} (by reason, with one example each)`);
  for (const [reason, { count, example }] of [...classes.entries()].sort(
    (a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1),
  )) {
    lines.push(`  ${String(count).padStart(4)}  ${clip(reason, options.detailWidth ?? 400)}`);
    lines.push(
      `        e.g. ${example.testbed} ${example.overlay} ${example.workload}: ${clip(example.reason, options.detailWidth ?? 400)}`,
    );
  }
  lines.push('', 'per test bed: cases checked, violations, skips');
  for (const [name, t] of [...totalsByTestbed(result).entries()].sort())
    lines.push(
      `  ${name.padEnd(14)} ${String(t.cases).padStart(5)} ${String(t.violations).padStart(5)} ${String(t.skips).padStart(5)}`,
    );
  return `${lines.join('\n')}\n`;
}
