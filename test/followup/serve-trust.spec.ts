/**
 * Outcomes feed `salve serve`'s planner: the outcome store the follow-up rebuilds from GitHub on
 * start (the outcome comments on salve's merged PRs; GitHub is nock) is what serve's planner
 * (createPlanner, as engine/cli/serve.ts wires it) reads, so a production memory raise earns
 * automate after enough effective follow-ups, and loses it after a harmful one.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SalveOctokit } from '../../engine/app/github.ts';
import { metadataComment } from '../../engine/explain/metadata.ts';
import { memoryOutcomeStore } from '../../engine/followup/outcomes.ts';
import { type OutcomeRecord, outcomeMarker } from '../../engine/followup/record.ts';
import { createFollowUpRunner } from '../../engine/followup/runner.ts';
import type { PlanResult } from '../../engine/model/remediation.ts';
import { createPlanner } from '../../engine/pipeline/planner.ts';
import { makePodinfoRepo, type PodinfoRepo } from '../../engine/repo/__fixtures__/podinfo.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import * as gh from '../app/github-flows.ts';
import { BOT, OWNER, pull, REPO } from '../app/github-replies.ts';
import { type HttpMock, httpMock } from '../app/http-mock.ts';
import { alertPayload, commitAll, testKeys } from '../pipeline/helpers.ts';

const NOW = new Date('2025-06-12T10:00:00Z');
const KEY = `${OWNER}/${REPO}`.toLowerCase();
let repo: PodinfoRepo | null = null;
let http: HttpMock | null = null;
afterEach(async () => {
  http?.reset();
  await repo?.cleanup();
  repo = null;
});

const oom = alertPayload([
  {
    alertname: 'KubePodCrashLooping',
    cluster: 'prod-cluster',
    namespace: 'production',
    pod: 'frontend-5d8f7c9b6d-x2x7q',
    container: 'frontend',
    reason: 'OOMKilled',
    severity: 'critical',
  },
]);

function record(n: number, kind: OutcomeRecord['kind'], daysAgo: number): OutcomeRecord {
  return {
    version: 1,
    repo: KEY,
    pull: n,
    remediation: `r${n}-raise-memory-limit`,
    action: 'raise-memory-limit',
    cluster: 'prod-cluster',
    namespace: 'production',
    kind,
    overall: kind === 'effective' ? 1 : 0.2,
    mergeSha: String(n).padStart(40, 'a'),
    decidedAt: new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString(),
  };
}

/** A merged salve PR as GET /pulls lists it, with the hidden metadata salve wrote. */
function merged(n: number) {
  const body = `salve: raise memory\n\n${metadataComment({
    version: 1,
    id: `r${n}-raise-memory-limit`,
    fingerprint: `fp${n}`,
    action: 'raise-memory-limit',
    mode: 'approve',
    target: { cluster: 'prod-cluster', namespace: 'production', kind: 'Deployment', name: 'frontend' },
    overlay: 'deploy/overlays/production',
    baseCommit: 'b'.repeat(40),
    proofDigest: `sha256:${'d'.repeat(64)}`,
    occurrences: 1,
    lastSeen: NOW.toISOString(),
  })}`;
  return {
    ...pull({ number: n, branch: `salve/deployment-frontend-${n}`, state: 'closed', body, labels: ['salve'] }),
    merged_at: NOW.toISOString(),
    merge_commit_sha: String(n).padStart(40, 'a'),
  };
}

function octokit(): SalveOctokit {
  return new SalveOctokit({
    auth: 'ghs_test',
    log: { debug() {}, info() {}, warn() {}, error() {} },
    request: { retries: 0 },
    retry: { retries: 0 },
    throttle: { enabled: false },
  });
}

async function planWith(
  planner: ReturnType<typeof createPlanner>,
): Promise<Extract<PlanResult, { kind: 'publish' | 'observe' }>> {
  if (!repo) throw new Error('no repo');
  const [result] = await planner.plan(oom, { repo: { owner: OWNER, repo: REPO }, checkoutDir: repo.dir, now: NOW });
  if (!result || (result.kind !== 'publish' && result.kind !== 'observe')) throw new Error(`planned ${result?.kind}`);
  return result;
}

describe("serve's planner reads the follow-up's outcomes", () => {
  it('earns automate after 3 effective follow-ups rebuilt from GitHub, and loses it after a harmful one', async () => {
    repo = await makePodinfoRepo({ git: true });
    await writeFile(
      join(repo.dir, '.salve.yaml'),
      'environments:\n  - name: production\n    tier: production\n    clusters: [prod-cluster]\ntrust:\n  default: approve\n  earn: {effective: 3, window: 14d}\n',
    );
    await commitAll(repo.dir, 'trust earned from outcomes');
    const outcomes = memoryOutcomeStore();
    const keys = await testKeys();
    // As engine/cli/serve.ts wires it: one store, the planner reads it, the follow-up fills it.
    const planner = createPlanner({
      signingKey: keys.signingKey,
      log: silentLogger(),
      outcomes: (r) => outcomes.list(r),
    });

    // Before anything is known: the ladder's approve.
    expect((await planWith(planner)).remediation.decision.mode).toBe('approve');

    // A restart: the store is rebuilt from the outcome comments on salve's merged PRs.
    http = httpMock();
    http.scope
      .get(`${gh.REPO_PATH}/pulls`)
      .query({ state: 'closed', sort: 'updated', direction: 'desc', per_page: '100' })
      .reply(200, [merged(23), merged(22), merged(21)]);
    for (const [n, days] of [
      [23, 1],
      [22, 3],
      [21, 5],
    ] as const)
      http.scope
        .get(`${gh.REPO_PATH}/issues/${n}/comments`)
        .query(true)
        .reply(200, [
          {
            id: n,
            user: { login: BOT },
            body: `salve follow-up: effective\n\n${outcomeMarker(record(n, 'effective', days))}`,
          },
        ]);
    const runner = createFollowUpRunner({
      follow: null as never,
      github: async () => ({
        octokit: octokit(),
        repo: { owner: OWNER, repo: REPO },
        botLogin: BOT,
        log: silentLogger(),
        now: NOW,
      }),
      configOf: async () => {
        throw new Error('every merged PR has its outcome: no config read');
      },
      scheduler: () => {
        throw new Error('nothing to schedule');
      },
      outcomes,
      log: silentLogger(),
    });
    expect(await runner.recover({ owner: OWNER, repo: REPO })).toBe(0);
    http.verify();
    expect((await outcomes.list(KEY)).map((o) => o.pull)).toEqual([21, 22, 23]);

    const earned = (await planWith(planner)).remediation.decision;
    expect(earned.mode).toBe('automate');
    expect(earned.rules.find((r) => r.id === 'merge.trust-earned')?.message).toBe(
      'raise-memory-limit earned automate in production: 3 effective follow-ups in the last 14 days (#21, #22, #23), none harmful',
    );

    // The next follow-up is harmful: the planner's next decision needs a human again.
    await outcomes.add(record(24, 'harmful', 0));
    const lost = (await planWith(planner)).remediation.decision;
    expect(lost.mode).toBe('approve');
    expect(lost.rules.find((r) => r.id === 'merge.trust-lost')?.message).toContain('(#24)');
  });
});
