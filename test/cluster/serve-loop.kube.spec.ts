/**
 * The whole loop through `salve serve`, with real servers: a real Alertmanager delivers a
 * kubernetes-mixin alert (CPUThrottlingHigh) to serve's intake → the PR is opened on the simulated
 * GitHub → GitHub's `pull_request` closed+merged webhook → the test plays Argo CD (the Application
 * reports the merge commit Synced and Healthy on the real kube-apiserver) and the kubelet (the
 * workload's pods run ready) → the alert resolves in Alertmanager → the outcome `effective` is
 * recorded as a `salve/outcome` check run and one PR comment. The follow-up's windows are the
 * config repo's own (`followUp:` of a few seconds), not sleeps. Then three `salve serve` processes
 * on one Redis: a merge webhook delivered to each makes one follow-up job and one outcome, and the
 * replica killed with SIGKILL while recording an outcome has it recorded once by another.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { serveCommand } from '../../engine/app/serve.ts';
import type { SalveServer } from '../../engine/app/server.ts';
import type { Checkout } from '../../engine/app/types.ts';
import { installApplication, reportSync } from '../../engine/demo/play.ts';
import { kubeconfigYaml } from '../../engine/demo/servers/kube-client.ts';
import { freePort } from '../../engine/demo/servers/ports.ts';
import { createDemoWorld, type DemoWorld, EXAMPLE_REPO, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import { metadataComment } from '../../engine/explain/metadata.ts';
import { parseOutcomeMarker } from '../../engine/followup/record.ts';
import { createPlanner } from '../../engine/pipeline/planner.ts';
import { type FakeGitHub, startFakeGitHub } from '../app/fake-github.ts';
import { OWNER, REPO } from '../app/github-replies.ts';
import { type RedisServer, startRedis } from '../app/redis-server.ts';
import { type ServeProcess, serveEnv, startServe, stopAll } from '../app/serve-process.ts';
import { appKey } from '../app/world.ts';
import { type AlertmanagerServer, postAlerts, startAlertmanager } from '../servers/alertmanager.ts';
import { createDeploymentPod, ensureNamespace, writePodStatus } from './kube-objects.ts';

const kube = inject('kube');
const CATALOG_APP = { name: 'catalog-staging', namespace: 'argocd' };
const NS = 'catalog';
const BOT = 'salve-app[bot]';
const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';
const INTAKE_TOKEN = 'intake-token-for-tests-0123456789';
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: Array<Record<string, unknown> & { action?: string; pull_request?: Record<string, unknown> }>;
}>;

let world: DemoWorld;
let dir: string;
let fake: FakeGitHub;
let am: AlertmanagerServer;
let server: SalveServer | null = null;
let base: string;
let redis: RedisServer | null = null;

const git = (...args: string[]) =>
  execFileSync('git', ['-C', world.work, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], {
    encoding: 'utf8',
  }).trim();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'salve-serve-loop-'));
  world = await createDemoWorld({ now: new Date() });
  // The config repo's follow-up windows, short; its SLO Prometheus is one that answers nothing.
  const yaml = readFileSync(join(world.work, '.salve.yaml'), 'utf8').replace(
    'http://prometheus.monitoring:9090',
    'http://127.0.0.1:9',
  );
  writeFileSync(join(world.work, '.salve.yaml'), yaml);
  appendFileSync(
    join(world.work, '.salve.yaml'),
    '\nfollowUp:\n  stabilisationWindow: 2s\n  pollInterval: 1s\n  syncTimeout: 5m\n  preWindow: 1m\n',
  );
  git('commit', '-qam', 'follow-up windows for the loop test');
  base = git('rev-parse', 'HEAD');
  // Replicas clone the config repo from the git server: it gets the same commit.
  git('push', '-q', world.bare, 'HEAD:main');
  fake = await startFakeGitHub({ baseCommit: base });
  // salve's read-only identity, its context named for the config repo's `staging` cluster.
  writeFileSync(join(dir, 'reader.kubeconfig'), kubeconfigYaml(kube, kube.identities.reader, { context: 'stg-ctx' }), {
    mode: 0o600,
  });
  await ensureNamespace(kube, NS);
  await ensureNamespace(kube, 'argocd');
  // The config repo's own Application for catalog in staging, as Argo CD holds it, synced at HEAD.
  const app = await installApplication(kube, EXAMPLE_REPO, 'argocd/staging/apps/catalog.yaml');
  await reportSync(kube, app, world.head, 'Healthy');
}, 180_000);

afterAll(async () => {
  await stopAll();
  await redis?.stop();
  await server?.close();
  await am?.stop();
  await fake?.close();
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** GitHub's own `pull_request` closed payload for the fake's PR, merged at `mergeSha`. */
function mergedWebhook(number: number, mergeSha: string): string {
  const ex = examples.find((e) => e.name === 'pull_request')?.examples.find((e) => e.action === 'closed');
  if (!ex?.pull_request) throw new Error('no pull_request.closed example');
  const p = fake.pulls.find((x) => x.number === number);
  if (!p) throw new Error(`no PR #${number}`);
  const repository = ex.repository as Record<string, unknown>;
  return JSON.stringify({
    ...ex,
    number,
    pull_request: {
      ...ex.pull_request,
      number,
      state: 'closed',
      merged: true,
      merged_at: new Date().toISOString(),
      closed_at: new Date().toISOString(),
      merge_commit_sha: mergeSha,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
      title: p.title,
      body: p.body,
      labels: p.labels.map((name, id) => ({ id, name })),
      user: { ...(ex.pull_request.user as object), login: BOT, type: 'Bot' },
      head: { ...(ex.pull_request.head as object), ref: p.head, sha: p.headSha },
    },
    repository: {
      ...repository,
      name: REPO,
      full_name: `${OWNER}/${REPO}`,
      owner: { ...(repository.owner as object), login: OWNER },
    },
  });
}

/** A salve PR for catalog in staging, merged at `merge`: Argo CD reports it synced, and GitHub's webhook goes to every replica. */
async function mergeEverywhere(replicas: ServeProcess[], number: number, head: string, merge: string) {
  const target = { cluster: 'staging', namespace: NS, kind: 'Deployment', name: 'catalog' };
  fake.pulls.push({
    number,
    state: 'closed',
    head: `salve/deployment-catalog-${number}`,
    headSha: head,
    base: 'main',
    title: 'salve: raise-cpu-limit catalog',
    body: `salve proposes raise-cpu-limit\n\n${metadataComment({
      version: 1,
      id: `replicas-catalog-${number}`,
      fingerprint: 'fp-catalog',
      action: 'raise-cpu-limit',
      mode: 'approve',
      target,
      overlay: 'apps/catalog/overlays/staging',
      baseCommit: base,
      proofDigest: `sha256:${'d'.repeat(64)}`,
      occurrences: 1,
      lastSeen: new Date().toISOString(),
    })}`,
    labels: ['salve'],
    createdAt: new Date().toISOString(),
    closedAt: new Date().toISOString(),
  });
  await reportSync(kube, CATALOG_APP, merge, 'Healthy');
  const body = mergedWebhook(number, merge);
  const headers = {
    'content-type': 'application/json',
    'x-github-event': 'pull_request',
    'x-github-delivery': `merge-${number}`,
    'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
  };
  return Promise.all(
    replicas.map((r) => fetch(`${r.url}/webhooks/github`, { method: 'POST', headers, body }).then((x) => x.status)),
  );
}

async function readyPods(n: number) {
  for (const suffix of ['qk2mz', 'h4jtn', 'p9x7w'].slice(0, n)) {
    const pod = await createDeploymentPod(kube, NS, 'catalog', { hash: '5f7d8c9b6', suffix });
    await writePodStatus(kube, NS, pod, {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'catalog',
          image: 'ghcr.io/acme/catalog:1.4.2',
          imageID: '',
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: new Date().toISOString() } },
        },
      ],
    });
  }
}

describe('the loop through salve serve (real kube-apiserver, Alertmanager; GitHub simulated)', () => {
  it(
    'alert → PR → merge → Argo CD synced → pods healthy → alert resolved → outcome "effective"',
    {
      timeout: 240_000,
    },
    async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      am = await startAlertmanager({
        webhook: { url: `${url}/intake/alertmanager/${OWNER}/${REPO}`, bearerToken: INTAKE_TOKEN },
        groupBy: ['alertname', 'namespace'],
      });
      const kubeconfig = join(dir, 'reader.kubeconfig');
      const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs1', format: 'pem' })
        .toString();
      const checkout: Checkout = {
        async prepare() {
          return { dir: world.work, baseCommit: base, baseBranch: 'main', cleanup: async () => {} };
        },
      };
      server = await serveCommand(
        ['--port', String(port), '--host', '127.0.0.1', '--state-dir', join(dir, 'state')],
        {
          SALVE_APP_ID: '12345',
          SALVE_PRIVATE_KEY: privateKey,
          SALVE_WEBHOOK_SECRET: WEBHOOK_SECRET,
          SALVE_ALERTMANAGER_TOKEN: INTAKE_TOKEN,
          SALVE_GITHUB_API_URL: fake.url,
          SALVE_REPO: `${OWNER}/${REPO}`,
          SALVE_CLUSTER_INTAKE: 'on',
          SALVE_KUBECONFIG: kubeconfig,
          SALVE_KUBE_CONTEXTS: 'staging=stg-ctx',
          SALVE_CLUSTER_NAMESPACES: NS,
          SALVE_ALERTMANAGER_URL: am.url,
        },
        {
          planner: (log, cluster) =>
            createPlanner({ signingKey: world.signingKey, log, ...(cluster ? { cluster } : {}) }),
          checkout,
          logger: silent,
          github: { retries: 0, throttle: false },
          signals: [],
        },
      );
      await readyPods(2);

      // Prometheus's rule fired: Alertmanager gets the alerts and delivers its webhook to salve serve.
      const signal = JSON.parse(readFileSync(join(EXAMPLE_SIGNALS, 'cpu-throttling-catalog-staging.json'), 'utf8'));
      const startsAt = new Date(Date.now() - 5 * 60_000).toISOString();
      const alerts = (
        signal.alerts as Array<{ labels: Record<string, string>; annotations: Record<string, string> }>
      ).map((a) => ({
        // At critical severity: a lone info-level throttling alert without a metric window is only observed.
        labels: { ...a.labels, severity: 'critical' },
        annotations: a.annotations,
        startsAt,
      }));
      await postAlerts(am.url, alerts);
      await expect.poll(() => fake.pulls.length, { timeout: 120_000, interval: 250 }).toBe(1);
      const pr = fake.pulls[0] as (typeof fake.pulls)[0];
      expect(pr.title).toContain('catalog');
      await server.idle();

      // GitHub merged it and says so.
      const merge = 'f'.repeat(40);
      const body = mergedWebhook(pr.number, merge);
      const res = await fetch(`${url}/webhooks/github`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'pull_request',
          'x-github-delivery': 'merge-1',
          'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
        },
        body,
      });
      expect(res.status).toBe(202);

      // Argo CD syncs the merge; the pods stay ready; the throttling stops and the alert resolves.
      await reportSync(kube, CATALOG_APP, merge, 'Healthy');
      await postAlerts(
        am.url,
        alerts.map((a) => ({ ...a, endsAt: new Date().toISOString() })),
      );

      await expect
        .poll(() => fake.checkRuns.filter((c) => c.name === 'salve/outcome').length, {
          timeout: 120_000,
          interval: 250,
        })
        .toBe(1);
      const outcome = fake.checkRuns.find((c) => c.name === 'salve/outcome');
      expect(outcome?.headSha).toBe(pr.headSha);
      expect(outcome?.conclusion).toBe('success');
      expect(outcome?.summary).toContain('salve follow-up: **effective**');
      expect(outcome?.summary).toContain('alerts firing at merge resolved: CPUThrottlingHigh');
      const comments = fake.comments.filter((c) => c.pull === pr.number);
      expect(comments).toHaveLength(1);
      const record = parseOutcomeMarker(comments[0]?.body);
      expect(record).toMatchObject({ kind: 'effective', pull: pr.number, mergeSha: merge, cluster: 'staging' });
      // One merged salve PR counted, one outcome.
      expect(server.metrics.render()).toMatch(/salve_pull_requests_total\{event="merged"\} 1/);
      await server.close();
      server = null;
    },
  );

  it(
    'three replicas on one Redis: a merged-PR webhook delivered to each is one follow-up and one outcome, also when the replica running it is killed',
    {
      timeout: 300_000,
    },
    async () => {
      redis = await startRedis();
      const kubeconfig = join(dir, 'reader.kubeconfig');
      const replicas: ServeProcess[] = [];
      const privateKey = appKey();
      for (const tag of ['r1', 'r2', 'r3'])
        replicas.push(
          await startServe(
            serveEnv(fake, world, privateKey, {
              SALVE_GITHUB_API_URL: `${fake.url}/${tag}`,
              SALVE_REDIS_URL: redis.url,
              SALVE_JOB_LOCK_MS: '2000',
              SALVE_REPO: `${OWNER}/${REPO}`,
              SALVE_CLUSTER_INTAKE: 'on',
              SALVE_KUBECONFIG: kubeconfig,
              SALVE_KUBE_CONTEXTS: 'staging=stg-ctx',
              SALVE_CLUSTER_NAMESPACES: NS,
            }),
          ),
        );
      const number = fake.pulls.length + 1;
      const merge = 'e'.repeat(40);
      const head = '9'.repeat(40);
      const statuses = await mergeEverywhere(replicas, number, head, merge);
      // One replica accepts it; the others see the delivery already handled.
      expect(statuses.sort()).toEqual([200, 200, 202]);

      const outcomes = () => fake.checkRuns.filter((c) => c.name === 'salve/outcome' && c.headSha === head);
      await expect
        .poll(() => outcomes().length, { timeout: 40_000, interval: 250 })
        .toBe(1)
        .catch((err: Error) => {
          throw new Error(`${err.message}\n${replicas.map((r) => r.log().slice(-3000)).join('\n---\n')}`);
        });
      // Its one job finished and nothing of it waits: no second run can come.
      const queue = new Queue('followups', {
        connection: { host: '127.0.0.1', port: redis.port },
        prefix: 'salve:bull',
      });
      try {
        await expect
          .poll(() => queue.getJobCounts('completed', 'delayed', 'waiting', 'active', 'failed'), { timeout: 30_000 })
          .toEqual({ completed: 1, delayed: 0, waiting: 0, active: 0, failed: 0 });
      } finally {
        await queue.close();
      }
      expect(outcomes()).toHaveLength(1);
      const comments = fake.comments.filter((c) => c.pull === number);
      expect(comments).toHaveLength(1);
      expect(parseOutcomeMarker(comments[0]?.body)).toMatchObject({ pull: number, mergeSha: merge });

      // The replica recording the next outcome dies (SIGKILL) before GitHub hears of it: another finishes.
      fake.fault({ method: 'POST', path: /\/check-runs$/, hold: 'before' });
      const next = number + 1;
      const nextHead = '8'.repeat(40);
      expect((await mergeEverywhere(replicas, next, nextHead, 'd'.repeat(40))).sort()).toEqual([200, 200, 202]);
      const tag = (await fake.held()).split(' ')[0] as string;
      const victim = replicas[Number(tag.slice(1)) - 1] as ServeProcess;
      expect(await victim.kill('SIGKILL')).toBe('SIGKILL');
      const nextOutcomes = () => fake.checkRuns.filter((c) => c.name === 'salve/outcome' && c.headSha === nextHead);
      await expect.poll(() => nextOutcomes().length, { timeout: 60_000, interval: 250 }).toBe(1);
      await expect.poll(() => fake.comments.filter((c) => c.pull === next).length, { timeout: 30_000 }).toBe(1);
      const again = new Queue('followups', {
        connection: { host: '127.0.0.1', port: redis.port },
        prefix: 'salve:bull',
      });
      try {
        await expect
          .poll(() => again.getJobCounts('completed', 'delayed', 'waiting', 'active', 'failed'), { timeout: 30_000 })
          .toEqual({ completed: 2, delayed: 0, waiting: 0, active: 0, failed: 0 });
      } finally {
        await again.close();
      }
      expect(nextOutcomes()).toHaveLength(1);
    },
  );
});
