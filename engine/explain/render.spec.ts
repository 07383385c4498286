import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../model/index.ts';
import type { Remediation } from '../model/remediation.ts';
import { tempDir } from '../publish/__fixtures__/repo.ts';
import { metadata, remediation } from './__fixtures__/remediation.ts';
import { labelsFor, MAX_BODY, metadataComment, parseMetadata, renderExplanation, renderPullRequest } from './index.ts';
import { compileTemplate } from './templates.ts';

const opts = { templateDirs: [], metadata };

function withDecision(mode: Remediation['decision']['mode'], allowed = true): Remediation {
  return { ...remediation, decision: { ...remediation.decision, mode, allowed } };
}

describe('explain/render', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir('explain');
  });
  afterAll(() => tmp.remove());

  it('renders the PR for a realistic remediation', async () => {
    const pr = renderPullRequest(remediation, opts);
    expect(pr.title).toBe('salve: raise memory limit of checkout/checkout to 384Mi (production)');
    expect(pr.labels).toEqual(['salve', 'salve/action:raise-memory-limit', 'salve/mode:approve']);
    await expect(pr.body).toMatchFileSnapshot('./__snapshots__/pr-body.md');
    expect(renderPullRequest(remediation, opts)).toEqual(pr);
  });

  it('renders the committed explanation', async () => {
    await expect(renderExplanation(remediation, opts)).toMatchFileSnapshot('./__snapshots__/explanation.md');
  });

  it('counts in words that agree with the number: 1 occurrence, 1 current line', () => {
    const one: Remediation = {
      ...remediation,
      incident: {
        ...remediation.incident,
        occurrences: 1,
        risk: {
          ...remediation.incident.risk,
          evidence: [
            {
              kind: 'log',
              container: 'checkout',
              baselineLines: 1,
              currentLines: 2,
              novelShare: 0.5,
              rarity: 1,
              distance: 0.4,
              novel: [],
            },
          ],
        },
      },
    };
    for (const text of [renderPullRequest(one, opts).body, renderExplanation(one, opts)]) {
      expect(text).toMatch(/\*\*OOMKilled\*\*[^\n]*, 1 occurrence from /);
      expect(text).toContain('of 2 current lines match no template of the 1 baseline line;');
      expect(text).not.toMatch(/\b1 (occurrences|baseline lines)\b/);
    }
    expect(renderPullRequest(remediation, opts).body).toContain('5 occurrences from');
  });

  it('says "at T" for an incident seen at one instant, not "from T to T"', () => {
    const at = remediation.incident.firstSeen;
    const once: Remediation = { ...remediation, incident: { ...remediation.incident, occurrences: 1, lastSeen: at } };
    for (const text of [renderPullRequest(once, opts).body, renderExplanation(once, opts)]) {
      expect(text).toMatch(new RegExp(`\\*\\*OOMKilled\\*\\*[^\\n]*, 1 occurrence at ${at.replace(/\./g, '\\.')}\\.`));
      expect(text).not.toContain(`from ${at} to ${at}`);
    }
  });

  it('says what merging does for each mode, and lets the publisher override it', () => {
    expect(renderPullRequest(withDecision('automate'), opts).body).toContain(
      'Auto-merge is armed: the PR merges once the required checks pass, and Argo CD syncs **checkout-production** after merge.',
    );
    expect(renderPullRequest(remediation, opts).body).toContain('This waits for a reviewer');
    expect(renderExplanation(withDecision('observe'), opts)).toContain(
      'n/a: observe mode records the remediation and publishes nothing.',
    );
    const denied = renderExplanation(withDecision('observe', false), opts);
    expect(denied).toContain('## Why not allowed');
    expect(denied).toContain('Decision: **observe**, denied.');
    expect(
      renderPullRequest(withDecision('automate'), {
        ...opts,
        mergeNote: 'Auto-merge could not be armed: no required checks.',
      }).body,
    ).toContain('## What merging does\n\nAuto-merge could not be armed: no required checks.\n');
    expect(labelsFor(withDecision('automate'))).toContain('salve/mode:automate');
  });

  it('keeps tables intact when messages carry pipes and line breaks', () => {
    const rem = {
      ...remediation,
      decision: {
        ...remediation.decision,
        rules: [{ id: 'custom.odd', effect: 'allow' as const, message: 'a | b\nc' }],
      },
    };
    expect(renderPullRequest(rem, opts).body).toContain('| `custom.odd` | allow | a \\| b<br>c |');
  });

  it('takes a template from the config repo first and the built-ins for the rest', async () => {
    const own = join(tmp.path, 'config', '.salve', 'templates');
    await mkdir(own, { recursive: true });
    await writeFile(join(own, 'pr-title.hbs'), '[{{environment.tier}}] {{action.id}} on {{targetRef}}\n');
    const pr = renderPullRequest(remediation, { ...opts, templateDirs: [own] });
    expect(pr.title).toBe('[production] raise-memory-limit on checkout/checkout');
    expect(pr.body).toBe(renderPullRequest(remediation, opts).body);
    await writeFile(join(own, 'explanation.hbs'), '{{#each decision.rules}}{{id}}\n{{/each}}');
    expect(renderExplanation(remediation, { ...opts, templateDirs: [own] })).toBe(
      'admission.namespace-open\nadmission.resource-pressure-tune\nmerge.trust-rule\nsafety.memory-within-bounds\n',
    );
    await writeFile(join(own, 'pr-body.hbs'), '{{#each rules}}');
    expect(() => renderPullRequest(remediation, { ...opts, templateDirs: [own] })).toThrow(ConfigError);
    expect(() => renderPullRequest(remediation, { ...opts, templateDirs: [own] })).toThrow(join(own, 'pr-body.hbs'));
  });

  it('compiles a template once per content and picks up a changed file', async () => {
    const source = '{{cell title}} by {{code who}}';
    expect(compileTemplate(source)).toBe(compileTemplate(`${source}`));
    expect(compileTemplate(source)({ title: 'a|b', who: 'x' })).toBe('a\\|b by `x`');
    const own = join(tmp.path, 'changing', 'templates');
    await mkdir(own, { recursive: true });
    await writeFile(join(own, 'pr-title.hbs'), 'first {{action.id}}');
    expect(renderPullRequest(remediation, { ...opts, templateDirs: [own] }).title).toBe('first raise-memory-limit');
    await writeFile(join(own, 'pr-title.hbs'), 'second {{action.id}}');
    expect(renderPullRequest(remediation, { ...opts, templateDirs: [own] }).title).toBe('second raise-memory-limit');
  });

  it('stays under GitHub body limits with a visible note, metadata intact', () => {
    const huge = Array.from({ length: 8000 }, (_, i) => `key${i}: value-${i}`).join('\n');
    const signal = remediation.incident.signals[0] as Remediation['incident']['signals'][number];
    const rem: Remediation = {
      ...remediation,
      files: [{ path: 'apps/checkout/overlays/production/big.yaml', before: null, after: `${huge}\n` }],
      incident: { ...remediation.incident, signals: Array.from({ length: 40 }, () => signal) },
    };
    const { body } = renderPullRequest(rem, opts);
    expect(body.length).toBeLessThanOrEqual(MAX_BODY);
    expect(body).toMatch(/_Diff truncated: \d+ more lines are in the commit\._/);
    expect(body).toContain('_40 more sample signals are left out._');
    expect(body).toContain('## How to revert');
    expect(body).toContain(
      '_This description was shortened to fit GitHub; the full explanation is `.salve/remediations/3f9a1c2b7d4e-raise-memory-limit/explanation.md` on branch `salve/3f9a1c2b7d4e-raise-memory-limit`._',
    );
    expect(parseMetadata(body)).toEqual(metadata);
  });

  it('keeps the decision, every rule and the diff within the limit, trimming the least important text first', () => {
    const big = (n: number, c: string) => `${c.repeat(n)}`;
    const signal = remediation.incident.signals[0] as Remediation['incident']['signals'][number];
    const rules = Array.from({ length: 60 }, (_, i) => ({
      id: `custom.rule-${i}`,
      effect: 'advisory' as const,
      message: big(3000, 'm'),
    }));
    const rem: Remediation = {
      ...remediation,
      incident: {
        ...remediation.incident,
        signals: Array.from({ length: 20 }, () => ({
          ...signal,
          evidence: [{ ...signal.evidence[0], source: 'alert', summary: big(4000, 's') }],
        })),
        risk: {
          ...remediation.incident.risk,
          attributions: Array.from({ length: 30 }, (_, i) => ({
            factor: `f${i}`,
            weight: 0.1,
            detail: big(4000, 'd'),
          })),
        },
      },
      action: { ...remediation.action, rationale: Array.from({ length: 10 }, () => big(4000, 'r')) },
      decision: { ...remediation.decision, rules: [...remediation.decision.rules, ...rules] },
      files: [
        ...remediation.files,
        { path: 'apps/checkout/overlays/production/big.yaml', before: null, after: `${big(300, 'x')}\n`.repeat(400) },
      ],
    };
    const { body } = renderPullRequest(rem, opts);
    expect(body.length).toBeLessThanOrEqual(MAX_BODY);
    expect(body.match(/^## Why allowed$/gm)).toHaveLength(1);
    expect(body).toContain('Decision: **approve**.');
    for (const r of rem.decision.rules) expect(body).toContain(`| \`${r.id}\` | ${r.effect} |`);
    expect(body).toMatch(/… \(truncated, 3000 bytes\)/);
    expect(body).toContain('```diff\n--- a/apps/checkout/overlays/production/kustomization.yaml');
    expect(body).toMatch(/_Diff truncated: \d+ more lines are in the commit\._/);
    expect(body).toContain('## How to revert');
    expect(body).toContain('.salve/remediations/3f9a1c2b7d4e-raise-memory-limit/explanation.md');
    expect(parseMetadata(body)).toEqual(metadata);
  });
});

describe('explain/metadata', () => {
  it('round-trips through the PR body', () => {
    expect(parseMetadata(renderPullRequest(remediation, opts).body)).toEqual(metadata);
    expect(parseMetadata('a PR a human wrote')).toBeNull();
  });

  it('cannot be closed early by a value', () => {
    const odd = { ...metadata, overlay: 'apps/x --> <b>' };
    const comment = metadataComment(odd);
    expect(comment.indexOf('-->')).toBe(comment.length - 3);
    expect(parseMetadata(`text\n\n${comment}\n`)).toEqual(odd);
  });

  it('rejects unknown versions and malformed metadata, naming the field', () => {
    const v2 = metadataComment(metadata).replace('"version":1', '"version":2');
    expect(() => parseMetadata(v2)).toThrow(
      new InputError('PR body: salve:metadata version 2 is not supported (expected 1)'),
    );
    expect(() => parseMetadata('<!-- salve:metadata {nope} -->')).toThrow('not valid JSON');
    const bad = metadataComment(metadata).replace('"mode":"approve"', '"mode":"yolo"');
    expect(() => parseMetadata(bad)).toThrow(/field mode/);
  });
});
