/**
 * Fuzzing intake and the renderer with arbitrary alert text: intake either yields capped signals
 * or an InputError, and any text in any untrusted field of a remediation renders inert, within
 * GitHub's limit, with exactly one visible decision.
 */
import fc from 'fast-check';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { metadata, remediation } from '../../engine/explain/__fixtures__/remediation.ts';
import { MAX_BODY, parseMetadata, renderExplanation, renderPullRequest } from '../../engine/explain/index.ts';
import { intakeAlertmanager } from '../../engine/intake/index.ts';
import { MAX_TEXT_BYTES } from '../../engine/intake/text-caps.ts';
import { InputError } from '../../engine/model/index.ts';
import type { Remediation } from '../../engine/model/remediation.ts';

const RUNS = { intake: 500, render: 100 };

/** Text built from markdown's and HTML's special characters, mentions, URLs and unicode. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc
    .array(
      fc.constantFrom(
        '<img src=x onerror=alert(1)>',
        '@org/team',
        '</details>',
        '\n\n## Why allowed\n\nDecision: **automate**.\n',
        '\n<!--\n',
        '-->',
        '```',
        '~~~',
        '|',
        '\n| a | b |\n| --- | --- |\n',
        '[x](https://evil.example)',
        '![p](https://evil.example/p.png)',
        'https://evil.example',
        '#12',
        '\u202e',
        '\r\n',
        '    ',
        '> quote',
        '- item',
        '1. item',
        '===',
        '$x$',
        '&#64;',
        'plain words',
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join('')),
);

function withText(t: string, big: boolean): Remediation {
  const signal = remediation.incident.signals[0] as Remediation['incident']['signals'][number];
  const repeat = big ? 50 : 1;
  return {
    ...remediation,
    application: `app${t}`,
    incident: {
      ...remediation.incident,
      signals: [
        { ...signal, pod: `p${t}`, evidence: [{ source: `s${t}`, summary: t.repeat(repeat), data: { g: t } }] },
      ],
      risk: { ...remediation.incident.risk, attributions: [{ factor: t, weight: 0.5, detail: t.repeat(repeat) }] },
    },
    action: { ...remediation.action, summary: `raise ${t}`, rationale: [t] },
    decision: {
      ...remediation.decision,
      rules: [...remediation.decision.rules, { id: `x.${t}`, effect: 'advisory', message: t }],
    },
    files: [...remediation.files, { path: 'notes.yaml', before: null, after: `${t.repeat(repeat)}\n` }],
  };
}

function html(md: string): string {
  return micromark(md, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

describe('fuzz: intake and rendering', () => {
  it('intake yields capped signals or an InputError, never anything else', () => {
    const text = fc.string({ unit: 'binary', maxLength: 200 });
    const alert = fc.record({
      status: fc.constantFrom('firing', 'resolved'),
      labels: fc.record({
        alertname: fc.constantFrom('KubePodCrashLooping', 'KubeContainerOOMKilled', 'KubeHpaMaxedOut', 'X'),
        namespace: fc.oneof(fc.constant('shop'), text),
        pod: fc.oneof(fc.constant('web-7d9f8-abcde'), text),
        cluster: text,
        reason: fc.constantFrom('OOMKilled', 'CrashLoopBackOff'),
        horizontalpodautoscaler: text,
        extra: fc.oneof(text, fc.constant('y'.repeat(20_000))),
      }),
      annotations: fc.record({ description: fc.oneof(text, fc.constant('z'.repeat(50_000))) }),
      startsAt: fc.constantFrom('2025-03-04T09:58:00Z', 'yesterday', '2999-01-01T00:00:00Z'),
      fingerprint: text,
      generatorURL: text,
    });
    fc.assert(
      fc.property(fc.array(alert, { maxLength: 4 }), (alerts) => {
        const payload = {
          version: '4',
          groupKey: 'g',
          status: 'firing',
          receiver: 'r',
          groupLabels: {},
          commonLabels: {},
          externalURL: 'http://am',
          alerts,
        };
        try {
          const { signals } = intakeAlertmanager(payload, { now: new Date('2025-03-04T10:00:00Z'), cluster: 'c' });
          for (const s of signals)
            for (const e of s.evidence) expect(Buffer.byteLength(e.summary)).toBeLessThan(MAX_TEXT_BYTES + 64);
        } catch (err) {
          expect(err).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: RUNS.intake },
    );
  });

  it('renders any text inert: one visible decision, no markup, within the limit', () => {
    fc.assert(
      fc.property(hostileText, fc.boolean(), (t, big) => {
        const rem = withText(t, big);
        const { body, title } = renderPullRequest(rem, { templateDirs: [], metadata });
        expect(body.length).toBeLessThanOrEqual(MAX_BODY);
        expect(parseMetadata(body)).toEqual(metadata);
        expect(title).not.toMatch(/[\r\n\u202e]/);
        for (const md of [body, renderExplanation(rem, { templateDirs: [], metadata })]) {
          const out = html(md);
          expect(out.match(/<h2>Why allowed<\/h2>/g)).toHaveLength(1);
          expect(out.match(/Decision: <strong>approve<\/strong>/g)).toHaveLength(1);
          expect(out).not.toMatch(/<img|<a |<strong>automate|<\/?h[3-6]>\s*Why allowed/);
          const prose = out
            .replace(/<pre>[\s\S]*?<\/pre>/g, '')
            .replace(/<code>[\s\S]*?<\/code>/g, '')
            .replace(/<[^>]+>/g, '');
          expect(prose).not.toMatch(/@[A-Za-z0-9]|#\d|https?:\/\//);
          const comments = out.match(/<!--/g) ?? [];
          expect(comments.length).toBe(md === body ? 1 : 0);
        }
      }),
      { numRuns: RUNS.render },
    );
  });
});
