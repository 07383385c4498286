/**
 * The whole harmful path against a real kube-apiserver (the test plays Argo CD and Argo Rollouts by
 * writing statuses; salve reads them as its read-only identity), a real config repo where salve's
 * own remediation merged, and GitHub as nock: the AnalysisRun of the canary fails → the follow-up
 * scores the merge harmful and records it → the revert PR is opened with its signed proof.
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { SalveOctokit } from '../../engine/app/github.ts';
import { analysisRun, createApplication, ensureNamespace, readyPods, reportSync } from '../../engine/demo/play.ts';
import { kubeConfigFor } from '../../engine/demo/servers/kube-client.ts';
import { memoryOutcomeStore } from '../../engine/followup/outcomes.ts';
import { parseOutcomeMarker } from '../../engine/followup/record.ts';
import { createRevertHook, type RevertResult } from '../../engine/followup/revert/hook.ts';
import { evaluateRevert } from '../../engine/followup/revert/plan.ts';
import { createFollowUpRunner, type FollowUpRunner } from '../../engine/followup/runner.ts';
import type { FollowUpScheduler } from '../../engine/followup/scheduler.ts';
import { followUpSettings } from '../../engine/followup/settings.ts';
import type { FollowUpJob } from '../../engine/followup/types.ts';
import { prepareContext } from '../../engine/pipeline/run.ts';
import type { GitHubContext } from '../../engine/publish/github/types.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import * as gh from '../app/github-flows.ts';
import { BOT, OWNER, REPO } from '../app/github-replies.ts';
import { type HttpMock, httpMock } from '../app/http-mock.ts';
import { testKeys } from '../pipeline/helpers.ts';
import { approvalNote, localCheckout, type MergedWorld, mergedPull, mergedRemediation, PULL } from './revert-world.ts';

const kube = inject('kube');
const NS = 'production';
const MIN = 60_000;

let world: MergedWorld | null = null;
let http: HttpMock | null = null;
afterEach(async () => {
  http?.reset();
  await world?.repo.cleanup();
  world = null;
});

function github(now: Date): GitHubContext {
  const octokit = new SalveOctokit({
    auth: 'ghs_test',
    log: { debug() {}, info() {}, warn() {}, error() {} },
    request: { retries: 0 },
    retry: { retries: 0 },
    throttle: { enabled: false },
  });
  return { octokit, repo: { owner: OWNER, repo: REPO }, botLogin: BOT, log: silentLogger(), now };
}

/** Argo CD syncs the merge; the Rollout's canary analysis fails (the statuses Argo would write). */
async function playArgo(mergeSha: string): Promise<void> {
  const app = await createApplication(kube, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'podinfo-production', namespace: 'argocd' },
    spec: {
      project: 'default',
      source: {
        repoURL: `https://github.com/${OWNER}/${REPO}.git`,
        path: 'deploy/overlays/production',
        targetRevision: 'main',
      },
      destination: { name: 'prod-cluster', namespace: NS },
    },
  });
  await reportSync(kube, app, mergeSha, 'Healthy');
  const frontend = { namespace: NS, kind: 'Deployment', name: 'frontend' };
  await ensureNamespace(kube, NS);
  await readyPods(kube, frontend, 1, new Date(Date.now() - 30 * MIN), { image: 'ghcr.io/stefanprodan/podinfo:6.5.0' });
  await analysisRun(
    kube,
    frontend,
    'Failed',
    'Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0)',
    {
      run: 'frontend-6f7d-1',
    },
  );
}

describe('a harmful merge is reverted (real kube-apiserver, real config repo)', () => {
  it('AnalysisRun fails → outcome harmful → revert PR with its proof, the evidence and the link', async () => {
    world = await mergedRemediation();
    const w = world;
    await playArgo(w.mergeSha);
    const keys = await testKeys();
    const merged = new Date(Date.now() - 40 * MIN);
    let clock = merged;
    const scheduled: Array<{ job: FollowUpJob; at: Date }> = [];
    const scheduler: FollowUpScheduler = {
      async schedule(job, at) {
        scheduled.push({ job, at });
      },
      async cancel() {},
      async pending() {
        return scheduled.map((s) => String(s.job.pull));
      },
      async close() {},
    };
    const kc = kubeConfigFor(kube, kube.identities.reader);
    const checkout = localCheckout(w.repo.dir);
    const revert = createRevertHook({
      github: async () => github(clock),
      tokenFor: async () => 'ghs_test',
      checkout,
      signingKey: keys.signingKey,
      log: silentLogger(),
    });
    const results: RevertResult[] = [];
    const runner: FollowUpRunner = createFollowUpRunner({
      follow: {
        cluster: (name) =>
          name === 'prod-cluster'
            ? {
                custom: kc.makeApiClient(CustomObjectsApi),
                core: kc.makeApiClient(CoreV1Api),
                applicationNamespaces: ['argocd'],
              }
            : null,
        isDescendant: async (_repo, merge, revision) => merge === revision,
        alertmanager: null,
        prometheus: (slo) => ({ address: slo.prometheus.address }),
        now: () => clock,
        log: silentLogger(),
      },
      github: async () => github(clock),
      configOf: async () => ({
        slos: [],
        settings: followUpSettings({
          stabilisationWindow: '10m',
          syncTimeout: '30m',
          preWindow: '30m',
          pollInterval: '30s',
        }),
      }),
      scheduler: () => scheduler,
      outcomes: memoryOutcomeStore(),
      onOutcome: async (job, outcome, record) => void results.push(await revert(job, outcome, record)),
      log: silentLogger(),
    });

    const started = await runner.onMerged(
      { owner: OWNER, repo: REPO },
      { ...mergedPull(w), merged_at: merged.toISOString() },
    );
    expect(started?.remediation.action).toBe('raise-memory-limit');
    clock = new Date(merged.getTime() + MIN);
    expect(await runner.run(scheduled.at(-1)?.job as FollowUpJob)).toBeNull();
    expect(scheduled.at(-1)?.job.syncedRevision).toBe(w.mergeSha);

    // After the stabilisation window: scored, recorded on the PR, and the revert follows.
    clock = new Date(merged.getTime() + 12 * MIN);
    const job = scheduled.at(-1)?.job as FollowUpJob;
    // The revert the hook will publish, planned the same way, so the nock flow can expect its files.
    const co = await checkout.clone();
    const ctx = await prepareContext(co.dir, { signingKey: keys.signingKey, now: clock, log: silentLogger() });
    http = httpMock();
    let comment = '';
    http.scope
      .get(`${gh.REPO_PATH}/issues/${PULL}/comments`)
      .query(true)
      .reply(200, [])
      .post(
        `${gh.REPO_PATH}/check-runs`,
        (b: { name: string; conclusion: string }) => b.name === 'salve/outcome' && b.conclusion === 'failure',
      )
      .reply(201, { id: 1 })
      .post(`${gh.REPO_PATH}/issues/${PULL}/comments`, (b: { body: string }) => {
        comment = b.body;
        return true;
      })
      .reply(201, { id: 2 });
    // Planned ahead with the same inputs the hook will see (job, the harmful record, the outcome's time).
    const plannedRecord = {
      version: 1 as const,
      repo: `${OWNER}/${REPO}`.toLowerCase(),
      pull: PULL,
      remediation: job.remediation.id,
      action: job.remediation.action,
      cluster: job.remediation.target.cluster,
      namespace: job.remediation.target.namespace,
      kind: 'harmful' as const,
      overall: 0,
      mergeSha: job.mergeSha,
      decidedAt: clock.toISOString(),
    };
    const ev = await evaluateRevert(ctx, job, plannedRecord);
    if (ev.kind !== 'evaluated') throw new Error(ev.reason);
    expect(ev.decision.mode).toBe('approve');
    await ctx.dispose();
    await co.cleanup();
    // The request's files are the restored overlay file and the revert's record; the flow checks their bytes.
    const seenPull = { body: '' };
    http.scope
      .get(/\/pulls\?head=/)
      .reply(200, [])
      .get(/\/pulls\?state=all/)
      .reply(200, [])
      .get(new RegExp(`/git/ref/heads%2Fsalve%2Frevert-pr-${PULL}$`))
      .reply(404, { message: 'Not Found' })
      .get(/\/git\/commits\/[0-9a-f]{40}$/)
      .reply(200, (uri: string) => ({ sha: uri.split('/').pop(), tree: { sha: 'base-tree' }, parents: [] }))
      .post(/\/git\/blobs$/)
      .times(4)
      .reply(201, () => ({ sha: 'b'.repeat(40) }))
      .post(/\/git\/trees$/)
      .reply(201, { sha: 't'.repeat(40) })
      .post(/\/git\/commits$/)
      .reply(201, { sha: 'e'.repeat(40), verification: { verified: true, reason: 'valid' } })
      .post(/\/git\/refs$/)
      .reply(201, {})
      .post(/\/check-runs$/, (b: { name: string }) => b.name === 'salve/policy')
      .reply(201, { id: 3 })
      .post(/\/pulls$/, (b: { body: string; head: string }) => {
        seenPull.body = b.body;
        return b.head === `salve/revert-pr-${PULL}`;
      })
      .reply(201, { number: 58, node_id: 'PR_58', html_url: `https://github.com/${OWNER}/${REPO}/pull/58` })
      .get(/\/contents\//)
      .times(3)
      .query(true)
      .reply(404, { message: 'Not Found' })
      .post(/\/issues\/58\/labels$/)
      .reply(200, []);
    const note = { note: '' };
    approvalNote(http.scope, note);
    const outcome = await runner.run(job);
    http.verify();
    expect(outcome?.kind).toBe('harmful');
    expect(outcome?.reasons[0]).toBe(
      'AnalysisRun frontend-6f7d-1 Failed: Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0)',
    );
    expect(parseOutcomeMarker(comment)?.kind).toBe('harmful');
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ kind: 'published', publish: { kind: 'opened', number: 58 } });
    const body = seenPull.body;
    expect(body).toContain('## Why revert');
    expect(body).toContain(`[#${PULL}](https://github.com/${OWNER}/${REPO}/pull/${PULL})`);
    expect(body).toContain('AnalysisRun `frontend-6f7d-1`');
    expect(body).toContain('Metric "error-rate" assessed Failed');
    expect(body).toContain('| Application | `argocd/podinfo-production` Synced Healthy at');
    expect(body).toContain('<!-- salve:metadata ');
    expect(note.note).toContain(`salve opened its revert [#58](https://github.com/${OWNER}/${REPO}/pull/58)`);
    // The files the merge edited, restored; the patch file it added, deleted; then salve's record.
    expect(ev.params.added).toHaveLength(1);
    expect(
      results[0]?.kind === 'published' && results[0].input.request.files.map((f) => [f.path, f.after === null]),
    ).toEqual([
      ...ev.params.files.map((f) => [f, false]),
      ...ev.params.added.map((f) => [f, true]),
      [`.salve/remediations/revert-pr-${PULL}/explanation.md`, false],
      [`.salve/remediations/revert-pr-${PULL}/proof.json`, false],
      [`.salve/remediations/revert-pr-${PULL}/proof.dsse.json`, false],
    ]);
  });
});
