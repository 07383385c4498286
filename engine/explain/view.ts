/**
 * The data the templates see: a remediation flattened into rows and sections. Every string that
 * came from a signal, the config repo or a policy is a `Text` (inert markdown, see markdown.ts);
 * plain strings are salve's own words, enums, numbers, hex digests and ids.
 */

import { capText } from '../intake/text-caps.ts';
import type { Evidence, FieldChange, ObjectChange, RenderedDiff, Risk, RiskEvidence } from '../model/index.ts';
import type { Remediation } from '../model/remediation.ts';
import { exposureView } from './exposure-view.ts';
import { code, inline, Markdown, type Text, text } from './markdown.ts';
import { paramRows } from './params.ts';
import { revertNote } from './revert.ts';
import { unifiedDiff } from './unified-diff.ts';

export interface ViewLimits {
  /** How many sample signals to show (the rest are counted). */
  samples: number;
  /** Characters of the file diff to keep; the rest is cut at a line with a note. */
  diffChars: number;
  /** Bytes kept of each free-text value (evidence, attributions, rationale, field values, ...). */
  textBytes: number;
  /** Bytes kept of each rule message (the rule ids and effects are always kept). */
  ruleBytes: number;
}

export const FULL: ViewLimits = {
  samples: 5,
  diffChars: Number.POSITIVE_INFINITY,
  textBytes: Number.POSITIVE_INFINITY,
  ruleBytes: Number.POSITIVE_INFINITY,
};

export interface ViewOptions {
  /** Replaces the default "What merging does" sentence (salve's own text, from the publisher). */
  mergeNote?: string;
  /** Text renders as plain text (the PR title) instead of inline markdown. */
  plainText?: boolean;
  /** The unified diff of the files, when the caller already computed it. */
  diff?: string;
}

/** Where the whole story is when a PR body had to be shortened. */
export function explanationPath(rem: Remediation): string {
  return `.salve/remediations/${rem.id}/explanation.md`;
}

function value(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function objectName(c: FieldChange | ObjectChange): string {
  return `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`;
}

function evidenceRow(e: Evidence, t: (s: string | undefined) => Text | '') {
  const data = Object.entries(e.data ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return { source: t(e.source), summary: t(e.summary), at: t(e.at), data: t(data) };
}

const fixed = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));

/** Perception's evidence as the templates show it: names and log templates are untrusted `Text`. */
function perceptionView(risk: Risk) {
  const evidence: RiskEvidence[] = risk.evidence ?? [];
  return {
    interval: risk.interval ? `${risk.interval[0].toFixed(2)}–${risk.interval[1].toFixed(2)}` : '',
    model: risk.model ?? '',
    metrics: evidence.flatMap((e) =>
      e.kind !== 'metric'
        ? []
        : [
            {
              name: text(e.name),
              at: text(e.at),
              value: fixed(e.value),
              band: e.lower === null || e.upper === null ? '' : `${fixed(e.lower)}–${fixed(e.upper)}`,
              expected: e.expected === null ? '' : fixed(e.expected),
              where:
                e.lower !== null && e.upper !== null && e.value >= e.lower && e.value <= e.upper
                  ? 'inside the band'
                  : 'outside the band',
              score: e.score.toFixed(2),
            },
          ],
    ),
    logs: evidence.flatMap((e) =>
      e.kind !== 'log'
        ? []
        : [
            {
              container: text(e.container),
              baselineLines: e.baselineLines,
              currentLines: e.currentLines,
              novelShare: `${Math.round(e.novelShare * 100)}%`,
              distance: e.distance.toFixed(2),
              novel: e.novel.map((n) => ({ count: n.count, template: text(n.template) })),
            },
          ],
    ),
  };
}

function mergeNote(rem: Remediation): Markdown {
  const app = inline(rem.application);
  if (!rem.decision.allowed) return new Markdown('n/a: policy denied this remediation, nothing is published.');
  switch (rem.decision.mode) {
    case 'automate':
      return new Markdown(
        `Auto-merge is armed: the PR merges once the required checks pass, and Argo CD syncs **${app}** after merge.`,
      );
    case 'approve':
      return new Markdown(
        `This waits for a reviewer: nothing changes until a human approves and merges. Argo CD then syncs **${app}**.`,
      );
    default:
      return new Markdown('n/a: observe mode records the remediation and publishes nothing.');
  }
}

function cutDiff(diff: string, max: number): { text: string; note: string } {
  if (diff.length <= max) return { text: diff, note: '' };
  const kept = diff.slice(0, Math.max(0, max)).replace(/\n[^\n]*$/, '\n');
  const dropped = diff.slice(kept.length).split('\n').length - 1;
  return { text: kept, note: `Diff truncated: ${dropped} more lines are in the commit.` };
}

function clip(raw: string | undefined, max: number): string | undefined {
  return raw === undefined || !Number.isFinite(max) ? raw : capText(raw, max);
}

const fieldKey = (f: FieldChange) => JSON.stringify([f.kind, f.namespace ?? '', f.name, f.path]);
const objectKey = (o: ObjectChange) => JSON.stringify([o.op, o.kind, o.namespace ?? '', o.name]);

/** The rendered diff as the fix and the exposure that ships it (all of it is the fix without one). */
function splitDiff(rem: Remediation): { fix: RenderedDiff; exposed: RenderedDiff } {
  const exposure = rem.exposure?.change;
  if (!exposure) return { fix: rem.diff, exposed: { fields: [], objects: [] } };
  const fields = new Set(exposure.fields.map(fieldKey));
  const objects = new Set(exposure.objects.map(objectKey));
  return {
    fix: {
      fields: rem.diff.fields.filter((f) => !fields.has(fieldKey(f))),
      objects: rem.diff.objects.filter((o) => !objects.has(objectKey(o))),
    },
    exposed: {
      fields: rem.diff.fields.filter((f) => fields.has(fieldKey(f))),
      objects: rem.diff.objects.filter((o) => objects.has(objectKey(o))),
    },
  };
}

export function buildView(rem: Remediation, limits: ViewLimits, opts: ViewOptions = {}) {
  const { incident, decision } = rem;
  const t = (raw: string | undefined) => text(clip(raw, limits.textBytes), opts.plainText);
  const rule = (raw: string) => text(clip(raw, limits.ruleBytes), opts.plainText);
  const samples = incident.signals.slice(0, limits.samples);
  const diff = cutDiff(opts.diff ?? rem.files.map((f) => unifiedDiff(f)).join(''), limits.diffChars);
  const shortened = limits.samples < FULL.samples || Number.isFinite(limits.textBytes) || diff.note !== '';
  const { fix, exposed } = splitDiff(rem);
  const fieldRow = (f: FieldChange) => ({
    object: t(objectName(f)),
    path: t(f.path),
    before: t(value(f.before)),
    after: t(value(f.after)),
  });
  const objectRow = (o: ObjectChange) => ({ op: o.op, object: t(objectName(o)), apiVersion: t(o.apiVersion) });
  return {
    id: rem.id,
    branch: t(rem.branch),
    action: {
      id: t(rem.action.id),
      family: rem.action.family,
      disruption: rem.action.disruption,
      summary: t(rem.action.summary),
      rationale: rem.action.rationale.map(t),
    },
    params: paramRows(rem.action.id, rem.action.params).map((p) => ({ name: t(p.name), value: t(value(p.value)) })),
    target: {
      cluster: t(rem.target.cluster),
      namespace: t(rem.target.namespace),
      kind: t(rem.target.kind),
      name: t(rem.target.name),
      container: t(rem.target.container),
    },
    targetRef: t(`${rem.target.namespace}/${rem.target.name}`),
    overlay: t(rem.overlay),
    application: t(rem.application),
    environment: {
      name: t(rem.environment.name),
      tier: t(rem.environment.tier),
      guessedFrom: t(rem.environment.guessedFrom),
    },
    baseCommit: t(rem.baseCommit),
    baseShort: t(rem.baseCommit.slice(0, 12)),
    incident: {
      fingerprint: t(incident.fingerprint),
      shortFingerprint: t(incident.fingerprint.slice(0, 12)),
      kinds: t(incident.kinds.join(', ')),
      containers: t(incident.containers.join(', ')),
      occurrences: incident.occurrences,
      firstSeen: t(incident.firstSeen),
      lastSeen: t(incident.lastSeen),
      /** One instant: "at T" instead of "from T to T". */
      seenOnce: incident.firstSeen === incident.lastSeen,
      score: incident.risk.score.toFixed(2),
      confidence: incident.risk.confidence.toFixed(2),
      type: incident.risk.type,
      attributions: incident.risk.attributions.map((a) => ({
        factor: t(a.factor),
        weight: a.weight.toFixed(2),
        detail: t(a.detail),
      })),
      ...perceptionView(incident.risk),
    },
    samples: samples.map((s) => ({
      kind: s.kind,
      source: s.source,
      observedAt: t(s.observedAt),
      where: t([s.pod, s.container].filter(Boolean).join(' / ')),
      evidence: s.evidence.map((e) => evidenceRow(e, t)),
    })),
    clusterEvidence: (incident.evidence ?? []).map((e) => ({
      source: t(e.source),
      summary: t(e.summary),
      text: t(e.text),
    })),
    samplesNote:
      incident.signals.length > samples.length
        ? `${incident.signals.length - samples.length} more sample signals are left out.`
        : '',
    decision: {
      allowed: decision.allowed,
      mode: decision.mode,
      rules: decision.rules.map((r) => ({ id: t(r.id), effect: r.effect, message: rule(r.message) })),
      heading: decision.allowed ? 'Why allowed' : 'Why not allowed',
    },
    boundsRules: decision.rules
      .filter((r) => r.id.startsWith('safety.'))
      .map((r) => ({ id: t(r.id), effect: r.effect, message: rule(r.message) })),
    // The fix (what policy's rules judged) apart from the canary that ships it: the blast radius
    // counts the first, and the table under it must show what it counts.
    fields: fix.fields.map(fieldRow),
    objects: fix.objects.map(objectRow),
    exposureFields: exposed.fields.map(fieldRow),
    exposureObjects: exposed.objects.map(objectRow),
    exposureChanged: exposed.fields.length + exposed.objects.length > 0,
    files: rem.files.map((f) => ({
      path: t(f.path),
      status: f.after === null ? 'deleted' : f.before === null ? 'added' : 'modified',
    })),
    notes: (rem.notes ?? []).map(t),
    fileDiff: text(diff.text, opts.plainText),
    diffNote: diff.note,
    /** Set when this rendering left something out to fit: says where the whole explanation is. */
    shortenedNote: shortened
      ? new Markdown(
          `This description was shortened to fit GitHub; the full explanation is ${code(explanationPath(rem))} on branch ${code(rem.branch)}.`,
        )
      : '',
    mergeNote: opts.mergeNote === undefined ? mergeNote(rem) : new Markdown(inline(opts.mergeNote)),
    revertNote: revertNote(rem, "Revert this PR (GitHub's **Revert** button, or `git revert` of its merge commit)."),
    revertCommitNote: revertNote(rem, 'Revert the commit that merged this remediation.'),
    exposure: exposureView(rem.exposure, t),
    proofDigest: t(rem.proofDigest),
    bundleDigest: t(rem.bundleDigest),
  };
}

export type ExplainView = ReturnType<typeof buildView>;
