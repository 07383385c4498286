/**
 * The canary a remediation ships under, for the "why safe" section: table, guard rails, diagram.
 * Names, SLOs and queries come from the config repo: they reach the view as `Text`, the note as
 * markdown with its names escaped, the diagram as mermaid source with its labels quoted.
 */
import type { Exposure } from '../model/policy.ts';
import { code, Markdown, type Text } from './markdown.ts';

function duration(seconds: number): string {
  if (seconds === 0) return '—';
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** A mermaid node label: one line, no quote, bracket or backtick that could end it or the block. */
function label(raw: string): string {
  return raw.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/["`[\]{}<>|#]/g, (c) => `#${c.charCodeAt(0)};`);
}

function mermaid(exposure: Exposure): string {
  const { plan } = exposure;
  const lines = ['flowchart LR'];
  let previous = '';
  plan.steps.forEach((step, i) => {
    const n = i + 1;
    lines.push(`  s${n}["${n}: ${step.weight}% for ${duration(step.pauseSeconds)}"]`);
    if (previous) lines.push(`  ${previous} -->|hold| s${n}`);
    previous = `s${n}`;
    if (step.analysis && plan.analysis) {
      lines.push(`  s${n} --> g${n}{"${label(plan.analysis.slo)}"}`);
      lines.push(`  g${n} -->|breach| abort`);
      previous = `g${n}`;
    }
  });
  lines.push(`  full["100%: promoted"]`, `  ${previous} -->|hold| full`);
  if (plan.analysis) lines.push('  abort["abort: traffic back to the stable pods"]');
  return lines.join('\n');
}

function takeoverNote(exposure: Exposure): string {
  const rollout = code(exposure.objects.find((o) => o.kind === 'Rollout')?.name ?? '');
  if (exposure.objects.some((o) => o.op === 'patch' && o.kind === 'Rollout')) {
    return `The existing Rollout ${rollout} gets these canary steps; the remediation's change rolls out under them.`;
  }
  return [
    `Merging adds a Rollout ${rollout} that references the Deployment of the same name (\`workloadRef\`, \`scaleDown: ${exposure.plan.scaleDown}\`), with the pod template unchanged: nothing the pods run changes in this PR.`,
    "Argo Rollouts deploys a new Rollout's first revision without steps, which is why salve never adds one inside a fix: the steps below guard every later change to the workload, starting with the fix salve proposes next (which is why this adoption needs a human's approval).",
    "The Deployment's own pods are scaled down as the Rollout's become available.",
    ...exposure.objects
      .filter((o) => o.kind === 'HorizontalPodAutoscaler')
      .map(
        (o) =>
          `The autoscaler ${code(o.name)} now scales the Rollout, so it does not scale the Deployment's pods back up.`,
      ),
    "The Deployment stays in the overlay with its replica count; the overlay's `replicas:` entry also sets the Rollout's (a `configurations:` entry teaches kustomize where a Rollout keeps it).",
    "Argo CD would restore the Deployment's scaled-down replicas (self-heal) unless the Application ignores `spec.replicas` on it: see the rationale above for that change.",
  ].join(' ');
}

export function exposureView(exposure: Exposure | undefined, t: (raw: string | undefined) => Text | '') {
  if (!exposure) return null;
  const { plan } = exposure;
  const gate = plan.analysis ? `${plan.analysis.slo}: ${plan.analysis.metrics.map((m) => m.name).join(', ')}` : '—';
  const rows = plan.steps.map((s, i) => ({
    step: i + 1,
    weight: `${s.weight}%`,
    pause: duration(s.pauseSeconds),
    analysis: s.analysis ? t(gate) : '—',
  }));
  rows.push({ step: plan.steps.length + 1, weight: '100%', pause: '—', analysis: 'promoted' });
  const a = plan.analysis;
  return {
    reason: t(plan.reason),
    rows,
    analysis: a && {
      slo: t(a.slo),
      address: t(a.address),
      interval: t(a.interval),
      count: a.count,
      failureLimit: a.failureLimit,
    },
    metrics: (a?.metrics ?? []).map((m) => ({
      name: t(m.name),
      query: t(m.query),
      successCondition: t(m.successCondition),
      failureCondition: t(m.failureCondition),
    })),
    objects: exposure.objects.map((o) => ({
      op: o.op === 'add' ? 'added' : 'canary steps patched',
      ref: t(`${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`),
    })),
    mermaid: t(mermaid(exposure)),
    note: new Markdown(takeoverNote(exposure)),
  };
}
