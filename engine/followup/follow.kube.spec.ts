/**
 * The follow-up against real servers: a kube-apiserver where the test plays Argo CD, the kubelet
 * and Argo Rollouts by writing objects and statuses, a Prometheus holding backfilled SLI history,
 * an Alertmanager holding the alerts, and GitHub (nock) receiving the check run and the comment.
 * salve reads the cluster as its read-only identity.
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { BOT, OWNER, REPO } from '../../test/app/github-replies.ts';
import { type HttpMock, httpMock } from '../../test/app/http-mock.ts';
import { createDeploymentPod, ensureNamespace, writePodStatus } from '../../test/cluster/kube-objects.ts';
import {
  type AlertmanagerServer,
  type PrometheusServer,
  postAlerts,
  startAlertmanager,
  startPrometheus,
} from '../../test/servers/index.ts';
import { SalveOctokit } from '../app/github.ts';
import type { Slo } from '../config/schema.ts';
import { kubeCall, kubeConfigFor } from '../demo/servers/kube-client.ts';
import { metadataComment } from '../explain/metadata.ts';
import type { GitHubContext } from '../publish/github/types.ts';
import { silentLogger } from '../telemetry/logger.ts';
import type { FollowUpDeps } from './follow.ts';
import { descendantViaGitHub } from './github.ts';
import { memoryOutcomeStore } from './outcomes.ts';
import { parseOutcomeMarker } from './record.ts';
import { createFollowUpRunner, type MergedPull } from './runner.ts';
import type { FollowUpScheduler } from './scheduler.ts';
import { followUpSettings } from './settings.ts';
import type { FollowUpJob } from './types.ts';

const kube = inject('kube');
const { admin } = kube.identities;
const ARGO = '/apis/argoproj.io/v1alpha1';
const MIN = 60_000;
// History lies in the past: the merge 40 minutes ago, the sync 30 minutes ago, "now" a minute ago.
const REAL = Date.now();
const MERGED = new Date(REAL - 40 * MIN);
const OLD = 'a'.repeat(40);
const SUFFIXES = ['x2x9z', 'b4k7m', 'q5w8r'];

function openMetrics(): string {
  const lines = ['# TYPE svc_error_ratio gauge', '# TYPE svc_latency_seconds gauge'];
  const from = Math.floor((MERGED.getTime() - 40 * MIN) / 1000);
  const to = Math.floor((REAL - MIN) / 1000);
  for (let t = from; t <= to; t += 30) {
    const before = t * 1000 < MERGED.getTime();
    // checkout: the fix cut errors; payments: the fix made latency breach its envelope.
    lines.push(`svc_error_ratio{service="checkout"} ${before ? 0.03 : 0.002} ${t}`);
    lines.push(`svc_latency_seconds{service="checkout"} ${before ? 0.3 : 0.2} ${t}`);
    lines.push(`svc_error_ratio{service="payments"} 0.001 ${t}`);
    lines.push(`svc_latency_seconds{service="payments"} ${before ? 0.2 : 0.9} ${t}`);
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

function slos(prom: string): Slo[] {
  return [
    {
      name: 'http',
      prometheus: { address: prom },
      errorRate: { query: 'max(svc_error_ratio{service="{{args.service}}"})', max: 0.01 },
      latency: { query: 'max(svc_latency_seconds{service="{{args.service}}"})', maxSeconds: 0.5 },
    },
  ];
}

function github(): GitHubContext {
  const octokit = new SalveOctokit({
    auth: 'ghs_test',
    // Expected 404s are replies under test, not failures to print.
    log: { debug() {}, info() {}, warn() {}, error() {} },
    request: { retries: 0 },
    retry: { retries: 0 },
    throttle: { enabled: false },
  });
  return { octokit, repo: { owner: OWNER, repo: REPO }, botLogin: BOT, log: silentLogger(), now: new Date(REAL) };
}

function mergedPull(n: number, ns: string, name: string, mergeSha: string): MergedPull {
  const target = { cluster: 'production', namespace: ns, kind: 'Deployment', name };
  const body = `salve proposes raise-memory-limit\n\n${metadataComment({
    version: 1,
    id: `abc123-${name}`,
    fingerprint: `fp-${name}`,
    action: 'raise-memory-limit',
    mode: 'approve',
    target,
    overlay: `apps/${name}/overlays/production`,
    baseCommit: OLD,
    proofDigest: `sha256:${'d'.repeat(64)}`,
    occurrences: 3,
    lastSeen: MERGED.toISOString(),
  })}`;
  return {
    number: n,
    node_id: `PR_${n}`,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${n}`,
    state: 'closed',
    body,
    title: 'salve: raise-memory-limit',
    created_at: new Date(MERGED.getTime() - 20 * MIN).toISOString(),
    closed_at: MERGED.toISOString(),
    merged_at: MERGED.toISOString(),
    merge_commit_sha: mergeSha,
    head: { ref: `salve/deployment-${name}-abc123`, sha: `${n}`.padStart(40, 'c') },
    labels: [{ name: 'salve' }],
    user: { login: BOT },
  };
}

async function application(name: string, overlay: string, status: Record<string, unknown>) {
  await kubeCall(kube, admin, 'POST', `${ARGO}/namespaces/argocd/applications`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name },
    spec: {
      project: 'default',
      source: { repoURL: `https://github.com/${OWNER}/${REPO}.git`, path: overlay, targetRevision: 'main' },
      destination: { name: 'production', namespace: name },
    },
    status,
  });
}

const appStatus = (name: string, status: Record<string, unknown>) =>
  kubeCall(
    kube,
    admin,
    'PATCH',
    `${ARGO}/namespaces/argocd/applications/${name}`,
    { status },
    'application/merge-patch+json',
  );

async function readyPods(ns: string, deployment: string, n: number, extra: Record<string, unknown> = {}) {
  for (let i = 0; i < n; i++) {
    const pod = await createDeploymentPod(kube, ns, deployment, { suffix: SUFFIXES[i] ?? 'x2x9z' });
    await writePodStatus(kube, ns, pod, {
      phase: 'Running',
      containerStatuses: [
        {
          name: deployment,
          image: `ghcr.io/acme/${deployment}:1.4.2`,
          imageID: '',
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: MERGED.toISOString() } },
          ...extra,
        },
      ],
    });
  }
}

describe('engine/followup (real kube-apiserver, Prometheus, Alertmanager)', () => {
  let prom: PrometheusServer;
  let am: AlertmanagerServer;
  let http: HttpMock | undefined;
  let clock = new Date(REAL - 35 * MIN);
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

  beforeAll(async () => {
    [prom, am] = await Promise.all([startPrometheus({ openMetrics: openMetrics() }), startAlertmanager()]);
    await ensureNamespace(kube, 'argocd');
  });
  afterAll(async () => {
    await Promise.all([prom?.stop(), am?.stop()]);
  });
  afterEach(() => http?.reset());

  function runner(outcomes = memoryOutcomeStore()) {
    const kc = kubeConfigFor(kube, kube.identities.reader);
    const follow: FollowUpDeps = {
      cluster: (name) =>
        name === 'production'
          ? {
              custom: kc.makeApiClient(CustomObjectsApi),
              core: kc.makeApiClient(CoreV1Api),
              applicationNamespaces: ['argocd'],
            }
          : null,
      isDescendant: descendantViaGitHub(async () => github()),
      alertmanager: { address: am.url },
      prometheus: (slo) => ({ address: slo.prometheus.address }),
      now: () => clock,
      log: silentLogger(),
    };
    const settings = followUpSettings({
      stabilisationWindow: '10m',
      syncTimeout: '30m',
      preWindow: '30m',
      pollInterval: '30s',
    });
    return {
      outcomes,
      r: createFollowUpRunner({
        follow,
        github: async () => github(),
        configOf: async () => ({ slos: slos(prom.url), settings }),
        scheduler: () => scheduler,
        outcomes,
        log: silentLogger(),
      }),
    };
  }

  const last = () => {
    const s = scheduled.at(-1);
    if (!s) throw new Error('nothing scheduled');
    return s;
  };

  it('follows a merge to Synced and Healthy, waits out the window and records "effective"', async () => {
    const ns = 'fu-checkout';
    await ensureNamespace(kube, ns);
    await application('checkout', 'apps/checkout/overlays/production', {
      sync: { status: 'Synced', revision: OLD },
      health: { status: 'Healthy' },
    });
    await readyPods(ns, 'checkout', 2);
    const alert = {
      labels: { alertname: 'KubePodCrashLooping', namespace: ns, pod: 'checkout-7d9c6b5f4-x2x9z', severity: 'warning' },
    };
    await postAlerts(am.url, [{ ...alert, startsAt: new Date(REAL - 50 * MIN).toISOString() }]);
    const { r, outcomes } = runner();
    const merge = 'b'.repeat(40);
    const descendant = 'e'.repeat(40);

    clock = new Date(MERGED.getTime());
    const job = await r.onMerged({ owner: OWNER, repo: REPO }, mergedPull(41, ns, 'checkout', merge));
    expect(job?.firingAtMerge).toEqual(['KubePodCrashLooping']);
    expect(last().job.pull).toBe(41);

    // Argo CD has not synced the merge yet: poll again.
    clock = new Date(MERGED.getTime() + 2 * MIN);
    expect(await r.run(last().job)).toBeNull();
    expect(last().at.getTime() - clock.getTime()).toBe(30_000);
    expect(last().job.syncedAt).toBeUndefined();

    // Synced at a later commit (a descendant, as GitHub's compare says), still Progressing: not settled.
    await appStatus('checkout', {
      sync: { status: 'Synced', revision: descendant },
      health: { status: 'Progressing' },
    });
    http = httpMock();
    http.scope
      .get(`/repos/${OWNER}/${REPO}/compare/${merge}...${descendant}`)
      .query(true)
      .times(2)
      .reply(200, { status: 'ahead', ahead_by: 1, behind_by: 0, total_commits: 1, commits: [], files: [] });
    clock = new Date(MERGED.getTime() + 5 * MIN);
    await r.run(last().job);
    expect(last().job.syncedAt).toBeUndefined();

    // Healthy: the stabilisation window starts.
    await appStatus('checkout', { health: { status: 'Healthy' } });
    clock = new Date(MERGED.getTime() + 10 * MIN);
    await r.run(last().job);
    expect(last().job.syncedAt).toBe(clock.toISOString());
    expect(last().job.syncedRevision).toBe(descendant);
    expect(last().at.toISOString()).toBe(new Date(clock.getTime() + 10 * MIN).toISOString());
    http.verify();

    // The alert resolves; the window passes; the outcome is scored and recorded.
    await postAlerts(am.url, [
      { ...alert, startsAt: new Date(REAL - 50 * MIN).toISOString(), endsAt: new Date(REAL - 2 * MIN).toISOString() },
    ]);
    clock = new Date(REAL - MIN);
    http = httpMock();
    http.scope
      .get(`/repos/${OWNER}/${REPO}/compare/${merge}...${descendant}`)
      .query(true)
      .reply(200, { status: 'ahead', ahead_by: 1, behind_by: 0, total_commits: 1, commits: [], files: [] });
    let check: Record<string, unknown> = {};
    let comment = '';
    http.scope
      .get(`/repos/${OWNER}/${REPO}/issues/41/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${OWNER}/${REPO}/check-runs`, (b) => {
        check = b;
        return true;
      })
      .reply(201, { id: 1 })
      .post(`/repos/${OWNER}/${REPO}/issues/41/comments`, (b) => {
        comment = b.body;
        return true;
      })
      .reply(201, { id: 2 });
    const outcome = await r.run(last().job);
    http.verify();
    expect(outcome?.kind).toBe('effective');
    expect(outcome?.observation.pods).toEqual({
      total: 2,
      ready: 2,
      restartsSinceSync: 0,
      oomsSinceSync: 0,
      failing: 0,
    });
    expect(outcome?.observation.alerts).toEqual({
      firingAtMerge: ['KubePodCrashLooping'],
      stillFiring: [],
      newFiring: [],
    });
    const slo = outcome?.observation.slos ?? [];
    expect(slo.map((s) => [s.metric, s.before, s.after])).toEqual([
      ['error-rate', 0.03, 0.002],
      ['latency', 0.3, 0.2],
    ]);
    expect(check).toMatchObject({
      name: 'salve/outcome',
      head_sha: '41'.padStart(40, 'c'),
      conclusion: 'success',
      status: 'completed',
    });
    expect(comment).toContain('salve follow-up: **effective**');
    const record = parseOutcomeMarker(comment);
    expect(record).toMatchObject({
      pull: 41,
      action: 'raise-memory-limit',
      cluster: 'production',
      kind: 'effective',
      mergeSha: merge,
    });
    expect(await outcomes.list(`${OWNER}/${REPO}`)).toEqual([record]);

    // Run again, as after a crash once GitHub took the comment: the outcome on the PR is kept, and
    // nothing is posted twice (nock refuses any POST here).
    http = httpMock();
    http.scope
      .get(`/repos/${OWNER}/${REPO}/compare/${merge}...${descendant}`)
      .query(true)
      .reply(200, { status: 'ahead', ahead_by: 1, behind_by: 0, total_commits: 1, commits: [], files: [] })
      .get(`/repos/${OWNER}/${REPO}/issues/41/comments`)
      .query(true)
      .reply(200, [
        { id: 7, body: 'ordinary review comment', user: { login: 'alice' } },
        { id: 8, body: comment, user: { login: BOT } },
      ]);
    const again = await r.run(last().job);
    http.verify();
    expect(again?.kind).toBe('effective');
    expect(await outcomes.list(`${OWNER}/${REPO}`)).toEqual([record]);
  });

  it('calls a fix harmful when its canary analysis fails and the SLI breaches its envelope', async () => {
    const ns = 'fu-payments';
    await ensureNamespace(kube, ns);
    const merge = 'f'.repeat(40);
    await application('payments', 'apps/payments/overlays/production', {
      sync: { status: 'Synced', revision: merge },
      health: { status: 'Healthy' },
    });
    await readyPods(ns, 'payments', 1);
    await kubeCall(kube, admin, 'POST', `${ARGO}/namespaces/${ns}/rollouts`, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'payments' },
      spec: {
        workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'payments' },
        strategy: { canary: { steps: [{ setWeight: 20 }] } },
      },
    });
    const run = await kubeCall<{ metadata: { name: string } }>(
      kube,
      admin,
      'POST',
      `${ARGO}/namespaces/${ns}/analysisruns`,
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisRun',
        metadata: {
          name: 'payments-7c9d-2',
          ownerReferences: [
            {
              apiVersion: 'argoproj.io/v1alpha1',
              kind: 'Rollout',
              name: 'payments',
              uid: 'u-payments',
              controller: true,
            },
          ],
        },
        spec: {
          metrics: [
            { name: 'latency', provider: { prometheus: { address: 'http://prometheus:9090', query: 'vector(1)' } } },
          ],
        },
      },
    );
    await kubeCall(
      kube,
      admin,
      'PATCH',
      `${ARGO}/namespaces/${ns}/analysisruns/${run.metadata.name}`,
      { status: { phase: 'Failed', message: 'Metric "latency" assessed Failed' } },
      'application/merge-patch+json',
    );
    const { r } = runner();
    clock = new Date(MERGED.getTime());
    await r.onMerged({ owner: OWNER, repo: REPO }, mergedPull(42, ns, 'payments', merge));
    clock = new Date(MERGED.getTime() + MIN);
    await r.run(last().job);
    expect(last().job.syncedRevision).toBe(merge);
    clock = new Date(REAL - MIN);
    http = httpMock();
    let check: Record<string, unknown> = {};
    http.scope
      .get(`/repos/${OWNER}/${REPO}/issues/42/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${OWNER}/${REPO}/check-runs`, (b) => {
        check = b;
        return true;
      })
      .reply(201, { id: 3 })
      .post(`/repos/${OWNER}/${REPO}/issues/42/comments`)
      .reply(201, { id: 4 });
    const outcome = await r.run(last().job);
    http.verify();
    expect(outcome?.kind).toBe('harmful');
    expect(outcome?.reasons.slice(0, 2)).toEqual([
      'AnalysisRun payments-7c9d-2 Failed: Metric "latency" assessed Failed',
      'http latency 0.9 breaches its limit 0.5 (before: 0.2)',
    ]);
    expect(check).toMatchObject({ name: 'salve/outcome', conclusion: 'failure' });
    // Every pod is ready, so the score is high: the title and the summary say the harm overrides it.
    const output = check.output as { title: string; summary: string };
    expect(output.title).toBe(
      `harmful: AnalysisRun payments-7c9d-2 Failed: Metric "latency" assessed Failed (the harm overrides the score ${outcome?.score.overall} of pods/alerts/SLOs)`,
    );
    expect(outcome?.score.overall).toBeGreaterThan(0.5);
    expect(output.summary).toContain(
      `The harm below decides the outcome and overrides the score ${outcome?.score.overall} of pods/alerts/SLOs (health 1,`,
    );
    expect(output.summary).not.toMatch(/^Score /m);
  });

  it('is inconclusive when Argo CD never reports the merge within the sync timeout', async () => {
    const ns = 'fu-cart';
    await ensureNamespace(kube, ns);
    await application('cart', 'apps/cart/overlays/production', {
      sync: { status: 'OutOfSync', revision: OLD },
      health: { status: 'Healthy' },
    });
    await readyPods(ns, 'cart', 1);
    const { r } = runner();
    clock = new Date(MERGED.getTime());
    await r.onMerged({ owner: OWNER, repo: REPO }, mergedPull(43, ns, 'cart', '9'.repeat(40)));
    clock = new Date(MERGED.getTime() + 31 * MIN);
    http = httpMock();
    let comment = '';
    http.scope
      .get(`/repos/${OWNER}/${REPO}/issues/43/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${OWNER}/${REPO}/check-runs`, (b) => b.conclusion === 'neutral')
      .reply(201, { id: 5 })
      .post(`/repos/${OWNER}/${REPO}/issues/43/comments`, (b) => {
        comment = b.body;
        return true;
      })
      .reply(201, { id: 6 });
    const outcome = await r.run(last().job);
    http.verify();
    expect(outcome?.kind).toBe('inconclusive');
    expect(outcome?.reasons[0]).toBe(
      `Argo CD never reported the merge synced and settled (sync OutOfSync, revision ${OLD.slice(0, 12)}, health Healthy)`,
    );
    expect(parseOutcomeMarker(comment)?.kind).toBe('inconclusive');
  });
});
