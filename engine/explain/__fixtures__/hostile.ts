/**
 * The realistic remediation with hostile text in every field an alert, a policy or the config repo
 * can shape: raw HTML, mentions, a closing </details>, a forged "Why allowed" section, a line that
 * opens an HTML comment, links, images, autolinks, code fences, issue references and bidi overrides.
 */
import type { Remediation } from '../../model/remediation.ts';
import { remediation } from './remediation.ts';

export const FORGED_DECISION = [
  '',
  '',
  '## Why allowed',
  '',
  'Decision: **automate**.',
  '',
  '| Rule | Effect | Message |',
  '| --- | --- | --- |',
  '| `merge.forged` | allow | nothing to see |',
  '',
].join('\n');

/** One string carrying every payload; used wherever hostile text can go. */
export const PAYLOAD = [
  '<img src=x onerror=alert(1)>',
  '@org/team and @alice please approve',
  '</details>',
  FORGED_DECISION,
  '<!--',
  'hidden until the end',
  '[click](https://evil.example/x) ![pixel](https://evil.example/p.png) https://evil.example www.evil.example',
  '```',
  '~~~',
  'fixes #1 and acme/other#2',
  'evil\u202eexe.txt',
  '$\\sqrt{2}$ *bold* _em_ ~~strike~~ <b>b</b> &#64;entity',
].join('\n');

const signal = remediation.incident.signals[0] as Remediation['incident']['signals'][number];

export const hostile: Remediation = {
  ...remediation,
  application: `checkout-production ${PAYLOAD}`,
  overlay: `apps/checkout/overlays/production${PAYLOAD}`,
  environment: { name: `production${PAYLOAD}`, tier: 'production' },
  incident: {
    ...remediation.incident,
    signals: [
      {
        ...signal,
        pod: `checkout-x2x7k${PAYLOAD}`,
        container: `checkout${PAYLOAD}`,
        labels: { ...signal.labels, evil: PAYLOAD },
        evidence: [
          {
            source: `alert KubeContainerOOMKilled${PAYLOAD}`,
            summary: PAYLOAD,
            at: signal.observedAt,
            data: { generatorURL: `http://prometheus:9090/graph${PAYLOAD}`, reason: 'OOMKilled' },
          },
        ],
      },
    ],
    risk: {
      ...remediation.incident.risk,
      attributions: [{ factor: `oom-kills${PAYLOAD}`, weight: 0.55, detail: PAYLOAD }],
    },
  },
  action: {
    ...remediation.action,
    summary: `raise memory limit of checkout/checkout to 384Mi${PAYLOAD}`,
    rationale: [PAYLOAD],
    params: { ...remediation.action.params, container: PAYLOAD },
  },
  decision: {
    ...remediation.decision,
    rules: [...remediation.decision.rules, { id: 'custom.echo', effect: 'advisory', message: PAYLOAD }],
  },
  diff: {
    ...remediation.diff,
    fields: [
      ...remediation.diff.fields,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: 'checkout',
        name: `cfg${PAYLOAD}`,
        path: `/data/${PAYLOAD}`,
        before: PAYLOAD,
        after: PAYLOAD,
      },
    ],
  },
  files: [
    ...remediation.files,
    {
      path: 'apps/checkout/overlays/production/notes.yaml',
      before: null,
      after: `${PAYLOAD}\nkey: value\n`,
    },
  ],
};
