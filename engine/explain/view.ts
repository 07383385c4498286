/** The data the templates see: a remediation flattened into strings, rows and sections. */
import type { Evidence, FieldChange, ObjectChange } from '../model/index.ts';
import type { Remediation } from '../model/remediation.ts';
import { exposureView } from './exposure-view.ts';
import { unifiedDiff } from './unified-diff.ts';

export interface ViewLimits {
  /** How many sample signals to show (the rest are counted). */
  samples: number;
  /** Characters of the file diff to keep; the rest is cut at a line with a note. */
  diffChars: number;
}

export const FULL: ViewLimits = { samples: 5, diffChars: Number.POSITIVE_INFINITY };

function value(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function objectName(c: FieldChange | ObjectChange): string {
  return `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`;
}

function evidenceRow(e: Evidence) {
  const data = Object.entries(e.data ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return { source: e.source, summary: e.summary, at: e.at ?? '', data };
}

function mergeNote(rem: Remediation): string {
  if (!rem.decision.allowed) return 'n/a: policy denied this remediation, nothing is published.';
  switch (rem.decision.mode) {
    case 'automate':
      return `Auto-merge is armed: the PR merges once the required checks pass, and Argo CD syncs **${rem.application}** after merge.`;
    case 'approve':
      return `This waits for a reviewer: nothing changes until a human approves and merges. Argo CD then syncs **${rem.application}**.`;
    default:
      return 'n/a: observe mode records the remediation and publishes nothing.';
  }
}

function cutDiff(diff: string, max: number): { text: string; note: string } {
  if (diff.length <= max) return { text: diff, note: '' };
  const kept = diff.slice(0, Math.max(0, max)).replace(/\n[^\n]*$/, '\n');
  const dropped = diff.slice(kept.length).split('\n').length - 1;
  return { text: kept, note: `Diff truncated: ${dropped} more lines are in the commit.` };
}

export function buildView(rem: Remediation, limits: ViewLimits, extra: { mergeNote?: string } = {}) {
  const { incident, decision } = rem;
  const samples = incident.signals.slice(0, limits.samples);
  const diff = cutDiff(rem.files.map((f) => unifiedDiff(f)).join(''), limits.diffChars);
  return {
    id: rem.id,
    branch: rem.branch,
    action: rem.action,
    params: Object.entries(rem.action.params).map(([name, v]) => ({ name, value: value(v) })),
    target: rem.target,
    targetRef: `${rem.target.namespace}/${rem.target.name}`,
    overlay: rem.overlay,
    application: rem.application,
    environment: rem.environment,
    baseCommit: rem.baseCommit,
    baseShort: rem.baseCommit.slice(0, 12),
    incident: {
      fingerprint: incident.fingerprint,
      shortFingerprint: incident.fingerprint.slice(0, 12),
      kinds: incident.kinds.join(', '),
      containers: incident.containers.join(', '),
      occurrences: incident.occurrences,
      firstSeen: incident.firstSeen,
      lastSeen: incident.lastSeen,
      score: incident.risk.score.toFixed(2),
      confidence: incident.risk.confidence.toFixed(2),
      type: incident.risk.type,
      attributions: incident.risk.attributions.map((a) => ({ ...a, weight: a.weight.toFixed(2) })),
    },
    samples: samples.map((s) => ({
      kind: s.kind,
      source: s.source,
      observedAt: s.observedAt,
      where: [s.pod, s.container].filter(Boolean).join(' / '),
      evidence: s.evidence.map(evidenceRow),
    })),
    samplesNote:
      incident.signals.length > samples.length
        ? `${incident.signals.length - samples.length} more sample signals are left out.`
        : '',
    decision: { ...decision, heading: decision.allowed ? 'Why allowed' : 'Why not allowed' },
    boundsRules: decision.rules.filter((r) => r.id.startsWith('safety.')),
    fields: rem.diff.fields.map((f) => ({
      object: objectName(f),
      path: f.path,
      before: value(f.before),
      after: value(f.after),
    })),
    objects: rem.diff.objects.map((o) => ({ op: o.op, object: objectName(o), apiVersion: o.apiVersion })),
    files: rem.files.map((f) => ({ path: f.path, status: f.before === null ? 'added' : 'modified' })),
    notes: rem.notes ?? [],
    fileDiff: diff.text,
    diffNote: diff.note,
    mergeNote: extra.mergeNote ?? mergeNote(rem),
    exposure: exposureView(rem.exposure),
    proofDigest: rem.proofDigest,
    bundleDigest: rem.bundleDigest,
  };
}

export type ExplainView = ReturnType<typeof buildView>;
