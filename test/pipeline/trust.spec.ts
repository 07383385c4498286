/**
 * Trust earned from outcomes on the podinfo test bed: a production memory raise the ladder leaves
 * at approve is automated once its follow-ups earned it, the decision names the PRs that did, a
 * harmful outcome takes it back, and the proof (carrying the outcomes) verifies.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutcomeEntry } from '../../engine/model/policy.ts';
import { policyDirs, runPlan } from '../../engine/pipeline/run.ts';
import { buildBundle, publicKeyInfo } from '../../engine/policy/index.ts';
import { makePodinfoRepo, type PodinfoRepo } from '../../engine/repo/__fixtures__/podinfo.ts';
import { loadConfig } from '../../engine/repo/load-config.ts';
import { verifyRef } from '../../engine/verify/index.ts';
import { alertPayload, commitAll, runOptions, testKeys, writeSignal } from './helpers.ts';

const NOW = new Date('2025-06-12T10:00:00Z');
let repo: PodinfoRepo | null = null;
afterEach(async () => {
  await repo?.cleanup();
  repo = null;
});

const oom = alertPayload(
  ['frontend-5d8f7c9b6d-x2x7q'].map((pod) => ({
    alertname: 'KubePodCrashLooping',
    cluster: 'prod-cluster',
    namespace: 'production',
    pod,
    container: 'frontend',
    reason: 'OOMKilled',
    severity: 'critical',
  })),
);

const outcome = (
  pull: number,
  kind: OutcomeEntry['kind'],
  daysAgo: number,
  cluster = 'prod-cluster',
): OutcomeEntry => ({
  pull,
  action: 'raise-memory-limit',
  cluster,
  kind,
  decidedAt: new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString(),
});

async function plan(outcomes: OutcomeEntry[]) {
  repo = await makePodinfoRepo({ git: true });
  await writeFile(
    join(repo.dir, '.salve.yaml'),
    'environments:\n  - name: production\n    tier: production\n    clusters: [prod-cluster]\ntrust:\n  default: approve\n  earn: {effective: 3, window: 14d}\n',
  );
  await commitAll(repo.dir, 'trust earned from outcomes');
  const [o] = await runPlan(await runOptions(repo.dir, [await writeSignal(oom)], NOW, { outcomes }));
  if (o?.result.kind !== 'publish') throw new Error(`expected publish, got ${JSON.stringify(o?.result)}`);
  return { o, rem: o.result.remediation, dir: repo.dir };
}

describe('trust earned from outcomes', () => {
  it('automates an action after enough effective follow-ups, names them, and the proof verifies', async () => {
    const { o, rem, dir } = await plan([
      outcome(11, 'effective', 20), // outside the 14-day window
      outcome(12, 'effective', 9),
      outcome(13, 'ineffective', 7),
      outcome(14, 'effective', 5),
      outcome(15, 'effective', 2, 'staging-cluster'), // another environment
      outcome(16, 'effective', 1),
    ]);
    expect(rem.decision.mode).toBe('automate');
    expect(rem.decision.rules.filter((r) => r.effect !== 'allow')).toEqual([]);
    const earned = rem.decision.rules.find((r) => r.id === 'merge.trust-earned');
    expect(earned?.message).toBe(
      'raise-memory-limit earned automate in production: 3 effective follow-ups in the last 14 days (#12, #14, #16), none harmful',
    );
    const { config } = await loadConfig(dir);
    const bundle = await buildBundle(policyDirs(dir, config));
    const keys = await testKeys();
    const verdicts = await verifyRef({
      repoDir: dir,
      ref: o.branch ?? '',
      bundle,
      trustedKeys: [publicKeyInfo(keys.signingKey.publicKey, 'test')],
    });
    expect(verdicts.map((v) => [v.ok, v.mode, v.errors])).toEqual([[true, 'automate', []]]);
    expect(verdicts[0]?.proof?.input.outcomes?.map((x) => x.pull)).toEqual([12, 13, 14, 16]);
  });

  it('stays at approve with too few, and a harmful outcome takes trust back', async () => {
    const few = await plan([outcome(12, 'effective', 3), outcome(14, 'effective', 2)]);
    expect(few.rem.decision.mode).toBe('approve');
    await repo?.cleanup();
    const harmed = await plan([
      outcome(12, 'effective', 5),
      outcome(13, 'effective', 4),
      outcome(14, 'effective', 3),
      outcome(15, 'harmful', 1),
    ]);
    expect(harmed.rem.decision.mode).toBe('approve');
    expect(harmed.rem.decision.rules.find((r) => r.id === 'merge.trust-lost')?.message).toBe(
      'raise-memory-limit had a harmful follow-up in production within the last 14 days (#15): a human approves it',
    );
  });
});
