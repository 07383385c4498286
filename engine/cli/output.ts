/** How outcomes read on a terminal and in `--json`. */
import type { SkippedAlert } from '../intake/index.ts';
import { counted } from '../model/words.ts';
import type { Outcome } from '../pipeline/run.ts';

/**
 * Text from a branch or a signal, made inert for a terminal: control characters (escape sequences,
 * carriage returns, bidi overrides) are shown as `\u{..}` instead of acting; newlines and tabs stay.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to neutralise
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalText(text: string): string {
  return text.replace(CONTROL, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`);
}

/** The fields `--json` always has, empty: what an outcome with no remediation reports. */
export const NO_REMEDIATION = { fingerprint: null, action: null, mode: null, branch: null, commit: null, rules: [] };

export function outcomeJson(o: Outcome): Record<string, unknown> {
  const r = o.result;
  if (r.kind === 'none') {
    return {
      ...NO_REMEDIATION,
      outcome: 'none',
      reason: r.reason,
    };
  }
  if (r.kind === 'drift') {
    const d = r.drift;
    return {
      ...NO_REMEDIATION,
      outcome: 'drift',
      fingerprint: r.incident.fingerprint,
      target: d.target,
      overlay: d.overlay,
      drift: {
        container: d.target.container,
        failingImage: d.failingImage,
        renderedImage: d.renderedImage,
        gitSetsItIn: d.gitSetsItIn,
        evidence: d.evidenceSource,
      },
      reason: d.summary,
    };
  }
  const rem = r.remediation;
  return {
    outcome: r.kind,
    id: rem.id,
    fingerprint: rem.incident.fingerprint,
    target: rem.target,
    overlay: rem.overlay,
    action: rem.action.id,
    summary: rem.action.summary,
    mode: rem.decision.mode,
    allowed: rem.decision.allowed,
    branch: o.branch,
    commit: o.commit,
    pushed: o.pushed,
    unchanged: o.unchanged,
    frozen: o.frozen,
    observation: o.observation,
    rules: rem.decision.rules,
    risk: rem.incident.risk,
    proofDigest: rem.proofDigest,
    ...(r.kind === 'publish' ? { title: r.request.pr.title } : {}),
  };
}

function branchState(o: Outcome): string {
  if (o.frozen) return 'frozen';
  const state = o.unchanged ? 'unchanged' : 'committed';
  return o.pushed ? `${state}, pushed` : state;
}

export function describeOutcome(o: Outcome): string {
  const r = o.result;
  if (r.kind === 'none') return `no action: ${r.reason}`;
  if (r.kind === 'drift') {
    const d = r.drift;
    const t = d.target;
    return [
      `incident  ${t.cluster}/${t.namespace}/${t.kind}/${t.name} (${r.incident.kinds.join(', ')}; ${counted(r.incident.occurrences, 'signal')})`,
      `drift     container ${t.container} runs ${d.failingImage} (${d.evidenceSource}); git renders ${d.renderedImage}`,
      `git sets  ${d.gitSetsItIn}`,
      `no change ${d.summary}`,
    ].join('\n');
  }
  const rem = r.remediation;
  const t = rem.target;
  const lines = [
    `incident  ${t.cluster}/${t.namespace}/${t.kind}/${t.name} (${rem.incident.kinds.join(', ')}; ${counted(rem.incident.occurrences, 'signal')}; risk ${rem.incident.risk.score.toFixed(2)}, confidence ${rem.incident.risk.confidence.toFixed(2)})`,
    `action    ${rem.action.id}: ${rem.action.summary}`,
    `decision  ${rem.decision.allowed ? rem.decision.mode : 'denied'}`,
    `rules     ${rem.decision.rules.map((x) => `${x.id}[${x.effect}]`).join(', ')}`,
  ];
  if (r.kind === 'publish') {
    lines.push(`pr        ${r.request.pr.title}`);
    if (o.branch)
      lines.push(`branch    ${o.branch}${o.commit ? ` @ ${o.commit.slice(0, 12)}` : ''} (${branchState(o)})`);
    if (o.frozen) lines.push(`frozen    ${o.frozen}: left as it is, not overwritten`);
  }
  if (r.kind === 'observe') lines.push(`observed  no branch written (${r.reason}); recorded at ${o.observation}`);
  if (r.kind === 'denied') {
    lines.push(
      `denied    ${rem.decision.rules
        .filter((x) => x.effect === 'deny')
        .map((x) => `${x.id}: ${x.message}`)
        .join('; ')}`,
    );
  }
  return lines.join('\n');
}

/** `{alert, reason}`: one alert intake left out, for `--json`. */
export function skippedJson(s: SkippedAlert): { alert: string; reason: string } {
  return { alert: s.alertname, reason: s.reason };
}

/** Alert text on a terminal: control characters (escape sequences, line breaks) shown as `?`. */
function inert(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    out += c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0x2028 || c === 0x2029 ? '?' : ch;
  }
  return out;
}

/** One line per alert name and reason: a storm of one unreadable alert is one line with a count. */
export function describeSkipped(skipped: readonly SkippedAlert[]): string[] {
  const groups = new Map<string, { s: SkippedAlert; n: number }>();
  for (const s of skipped) {
    const key = JSON.stringify([s.alertname, s.reason]);
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { s, n: 1 });
  }
  return [...groups.values()].map(({ s, n }) => {
    const hint = s.code === 'unrecognised' ? '; to act on it, add an alerts: entry (see the README)' : '';
    return `skipped   ${inert(s.alertname)}${n > 1 ? ` (${n} alerts)` : ''}: ${inert(s.reason)}${hint}`;
  });
}
