/**
 * What the explanation claims matches the evidence it shows: parameters named for what they are,
 * the table under the blast radius holding what it counts, and a revert that does what the
 * Application's sync policy does.
 */
import { describe, expect, it } from 'vitest';
import type { Remediation } from '../model/remediation.ts';
import { metadata, remediation } from './__fixtures__/remediation.ts';
import { renderExplanation, renderPullRequest } from './render.ts';

const opts = { templateDirs: [], metadata };

/** The data rows of the first markdown table after the line holding `marker`. */
function tableAfter(text: string, marker: string): string[] {
  const lines = text.slice(text.indexOf(marker)).split('\n');
  const start = lines.findIndex((l) => l.startsWith('| --- '));
  const rows: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('|')) break;
    rows.push(line);
  }
  return rows;
}

const rolloutSteps = (step: number) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  namespace: 'checkout',
  name: 'checkout',
  path: `/spec/strategy/canary/steps/${step}/setWeight`,
  before: null,
  after: 25 * (step + 1),
});

/** The fixture's memory raise, shipped as a canary on an existing Rollout with new guard rails. */
const canary: Remediation = {
  ...remediation,
  diff: {
    fields: [rolloutSteps(0), ...remediation.diff.fields, rolloutSteps(1)],
    objects: [
      {
        op: 'add',
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisTemplate',
        namespace: 'checkout',
        name: 'checkout-salve-guard-rails',
      },
    ],
  },
  decision: {
    ...remediation.decision,
    rules: [
      ...remediation.decision.rules,
      { id: 'safety.blast-radius', effect: 'allow', message: 'the change touches 1 field of 1 object' },
    ],
  },
  exposure: {
    plan: {
      strategy: 'canary',
      reason: 'raise-memory-limit in production ships as a canary: 25% → 50% → 100%',
      scaleDown: 'never',
      steps: [
        { weight: 25, pauseSeconds: 300, analysis: false },
        { weight: 50, pauseSeconds: 300, analysis: false },
      ],
      analysis: null,
    },
    change: {
      fields: [rolloutSteps(0), rolloutSteps(1)],
      objects: [
        {
          op: 'add',
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AnalysisTemplate',
          namespace: 'checkout',
          name: 'checkout-salve-guard-rails',
        },
      ],
    },
    objects: [
      {
        op: 'patch',
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        namespace: 'checkout',
        name: 'checkout',
        specSha256: 'a'.repeat(64),
      },
    ],
  },
};

describe('explain: claims match the evidence', () => {
  it('names parameters for what they are, without the machine copies policy reads, and no disruption rank', () => {
    const text = renderExplanation(remediation, opts);
    expect(tableAfter(text, 'what it changes')).toEqual([
      '| Container | checkout |',
      '| Memory limit now | 256Mi |',
      '| Memory limit after | 384Mi |',
    ]);
    expect(text).not.toMatch(/fromBytes|toBytes|disruption/);
    const rollback: Remediation = {
      ...remediation,
      action: {
        ...remediation.action,
        id: 'rollback-image',
        params: {
          container: 'checkout',
          image: 'ghcr.io/example-org/checkout',
          renderedImage: 'ghcr.io/example-org/checkout:1.8.1',
          fromTag: '1.8.2',
          toTag: '1.8.1',
        },
      },
    };
    const rows = tableAfter(renderExplanation(rollback, opts), 'what it changes');
    expect(rows).toContain('| Image the pods run after the rollback | ghcr.io/example-org/checkout:1.8.1 |');
    expect(rows.join('\n')).not.toMatch(/renderedImage|fromTag|toTag/);
  });

  it('puts under the blast radius only what it counts; the canary changes get their own table', () => {
    for (const text of [renderPullRequest(canary, opts).body, renderExplanation(canary, opts)]) {
      expect(text).toContain('the change touches 1 field of 1 object');
      expect(tableAfter(text, 'What the rules above judge')).toEqual([
        '| Deployment checkout/checkout | `/spec/template/spec/containers[name=checkout]/resources/limits/memory` | 256Mi | 384Mi |',
      ]);
      expect(tableAfter(text, 'What the canary changes')).toEqual([
        '| Rollout checkout/checkout | `/spec/strategy/canary/steps/0/setWeight` | — | 25 |',
        '| Rollout checkout/checkout | `/spec/strategy/canary/steps/1/setWeight` | — | 50 |',
        '| AnalysisTemplate checkout/checkout-salve-guard-rails | (add object) | — | added |',
      ]);
    }
    // Without a canary there is no second table.
    expect(renderPullRequest(remediation, opts).body).not.toContain('What the canary changes');
  });

  it('says what a revert leaves behind when the Application does not prune', () => {
    const body = (sync: Remediation['sync']) =>
      renderPullRequest({ ...canary, ...(sync ? { sync } : {}) }, opts).body.split('## How to revert')[1] ?? '';
    expect(body({ automated: true, prune: false })).toContain(
      "Revert this PR (GitHub's **Revert** button, or `git revert` of its merge commit). Argo CD syncs **checkout-production** back by itself, but this Application does not prune (`syncPolicy.automated.prune` is not true): AnalysisTemplate checkout/checkout-salve-guard-rails stays in the cluster until someone deletes it or syncs **checkout-production** with prune.",
    );
    expect(body({ automated: true, prune: true })).toContain(
      'Argo CD syncs **checkout-production** back by itself and prunes what this change added: AnalysisTemplate checkout/checkout-salve-guard-rails.',
    );
    expect(body({ automated: false, prune: false })).toContain(
      '**checkout-production** has no automated sync policy: nothing changes in the cluster until someone syncs it in Argo CD. Sync it with prune, or AnalysisTemplate checkout/checkout-salve-guard-rails stays in the cluster.',
    );
    // A Rollout left behind is worse than an idle object: it keeps the Deployment scaled down.
    const adopted: Remediation = {
      ...canary,
      sync: { automated: true, prune: false },
      diff: {
        fields: [],
        objects: [
          { op: 'add', apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'checkout', name: 'checkout' },
        ],
      },
    };
    expect(renderExplanation(adopted, opts)).toContain(
      'Revert the commit that merged this remediation. Argo CD syncs **checkout-production** back by itself, but this Application does not prune (`syncPolicy.automated.prune` is not true): Rollout checkout/checkout stays in the cluster until someone deletes it or syncs **checkout-production** with prune. A Rollout left in the cluster keeps running, and with `workloadRef` keeps the Deployment it references scaled down: delete it first.',
    );
    // Nothing added: nothing left behind, whatever the policy.
    expect(renderPullRequest({ ...remediation, sync: { automated: true, prune: false } }, opts).body).toContain(
      'Argo CD syncs **checkout-production** back to the previous state by itself.',
    );
  });
});
