import { execFileSync } from 'node:child_process';
import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { groupingPlanner } from '../../engine/app/__fixtures__/requests.ts';
import { loadServeConfig } from '../../engine/app/config.ts';
import { createServer, type SalveServer } from '../../engine/app/server.ts';
import type { Checkout, Planner } from '../../engine/app/types.ts';
import type { PublishRequest } from '../../engine/model/remediation.ts';
import { labelsFor } from '../../engine/publish/github/markers.ts';
import * as gh from './github-flows.ts';
import { BOT, OWNER, prCommit, pull, REPO } from './github-replies.ts';
import { type HttpMock, httpMock } from './http-mock.ts';
import { removeStateDirs, stateDir } from './state-dir.ts';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;
const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';
const INTAKE_TOKEN = 'intake-token-for-tests-0123456789';
const NOW = new Date('2025-03-04T10:00:00Z');
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

let privateKey: string;
beforeAll(() => {
  privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
});

/**
 * A config repo on disk, committed: what the real checkout would have cloned (the clone itself is
 * tested in git-path.spec). Settings are read from the base commit, never from files on disk.
 */
function dirCheckout(salveYaml: string): Checkout & { prepared: number } {
  const co = {
    prepared: 0,
    async prepare() {
      co.prepared++;
      const dir = await mkdtemp(join(tmpdir(), 'salve-serve-'));
      await writeFile(join(dir, '.salve.yaml'), salveYaml);
      const git = (...args: string[]) =>
        execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], {
          encoding: 'utf8',
        });
      git('init', '-q', '-b', 'main');
      git('add', '.salve.yaml');
      git('commit', '-q', '-m', 'config');
      return {
        dir,
        baseCommit: git('rev-parse', 'HEAD').trim(),
        baseBranch: 'main',
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  };
  return co;
}

function alert(labels: Record<string, string>) {
  return {
    status: 'firing',
    labels: <Record<string, string>>{
      alertname: 'KubePodCrashLooping',
      job: 'kube-state-metrics',
      severity: 'warning',
      ...labels,
    },
    annotations: {
      description: `Pod ${labels.namespace}/${labels.pod} (${labels.container}) is in waiting state (reason: "CrashLoopBackOff").`,
      runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping',
      summary: 'Pod is crash looping.',
    },
    startsAt: '2025-03-04T09:58:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=...',
    // Alertmanager's fingerprint is a hash of the label set: every pod's alert has its own.
    fingerprint: createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16),
  };
}

function payload(alerts: ReturnType<typeof alert>[]) {
  return JSON.stringify({
    version: '4',
    groupKey: '{}/{severity="warning"}:{alertname="KubePodCrashLooping"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'salve',
    groupLabels: { alertname: 'KubePodCrashLooping' },
    commonLabels: { alertname: 'KubePodCrashLooping', severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts,
  });
}

const checkoutAlert = alert({
  namespace: 'shop',
  pod: 'checkout-7d9f8-abcde',
  container: 'app',
  deployment: 'checkout',
});

describe('app: salve serve end to end', () => {
  let server: SalveServer | null = null;
  let mock: HttpMock | null = null;
  afterEach(async () => {
    await server?.close();
    removeStateDirs();
    server = null;
    mock?.reset();
  });

  async function start(
    planner: Planner,
    checkout: Checkout,
    flags: string[] = [],
    extra: Partial<Parameters<typeof createServer>[1]> = {},
  ) {
    const config = loadServeConfig(['--port', '0', '--host', '127.0.0.1', '--state-dir', stateDir(), ...flags], {
      SALVE_APP_ID: '12345',
      SALVE_PRIVATE_KEY: privateKey,
      SALVE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SALVE_ALERTMANAGER_TOKEN: INTAKE_TOKEN,
    });
    server = createServer(config, {
      planner,
      checkout,
      logger: silent,
      clock: { now: () => NOW },
      github: { retries: 0, throttle: false },
      ...extra,
    });
    return server.listen();
  }

  function appAuth(m: HttpMock) {
    m.scope.get('/app').reply(200, { id: 12345, slug: 'salve-app', name: 'salve', owner: { login: OWNER } });
    m.scope.get(`/repos/${OWNER}/${REPO}/installation`).reply(200, { id: 99, account: { login: OWNER } });
    m.scope.post('/app/installations/99/access_tokens').reply(201, {
      token: 'ghs_0123456789abcdefghijABCDEFGHIJ012345',
      expires_at: '2025-03-04T11:00:00Z',
      permissions: {},
      repository_selection: 'selected',
    });
  }

  function postAlerts(
    url: string,
    body: string,
    headers: Record<string, string> = { authorization: `Bearer ${INTAKE_TOKEN}` },
  ) {
    return fetch(`${url}/intake/alertmanager/${OWNER}/${REPO}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  }

  it("rejects a webhook with a bad or missing signature, and accepts GitHub's own payload when signed", async () => {
    mock = httpMock();
    mock.scope.get('/app').reply(200, { id: 12345, slug: 'salve-app' });
    const planner = groupingPlanner();
    const followed: Array<[string, number, string | null | undefined]> = [];
    const url = await start(planner, dirCheckout(''), [], {
      followUp: {
        onMerged: async (repo, pull) => {
          followed.push([`${repo.owner}/${repo.repo}`, pull.number, pull.merge_commit_sha]);
          return null;
        },
        recover: async () => 0,
      },
    });
    const closed = examples.find((e) => e.name === 'pull_request')?.examples.find((e) => e.action === 'closed') as {
      pull_request: Record<string, unknown>;
    } & Record<string, unknown>;
    const { fixturePublish } = await import('../../engine/app/__fixtures__/requests.ts');
    const { renderBody } = await import('../../engine/publish/github/markers.ts');
    const ours = fixturePublish().request;
    const merged = {
      ...closed,
      pull_request: {
        ...closed.pull_request,
        merged: true,
        user: { ...(closed.pull_request.user as object), login: BOT, type: 'Bot' },
        body: renderBody(ours),
        labels: labelsFor(ours).map((name, id) => ({ id, name })),
      },
    };
    const body = JSON.stringify(merged, null, 2);
    const sig = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
    const send = (signature?: string) =>
      fetch(`${url}/webhooks/github`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'pull_request',
          'x-github-delivery': 'd-1',
          ...(signature ? { 'x-hub-signature-256': signature } : {}),
        },
        body,
      });
    expect((await send()).status).toBe(401);
    expect((await send(`sha256=${'0'.repeat(64)}`)).status).toBe(401);
    expect((await send(sig.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')))).status).toBe(401);
    expect(server?.metrics.get('salve_pull_requests_total', { event: 'merged' })).toBe(0);
    // A human's PR that only carries the salve label is not salve's.
    const human = JSON.stringify({
      ...merged,
      pull_request: { ...merged.pull_request, user: closed.pull_request.user },
    });
    const humanSig = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(human).digest('hex')}`;
    const sent = await fetch(`${url}/webhooks/github`, {
      method: 'POST',
      headers: { 'x-github-event': 'pull_request', 'x-github-delivery': 'd-0', 'x-hub-signature-256': humanSig },
      body: human,
    });
    expect(sent.status).toBe(202);
    expect(server?.metrics.get('salve_pull_requests_total', { event: 'merged' })).toBe(0);
    expect((await send(sig)).status).toBe(202);
    expect(server?.metrics.get('salve_pull_requests_total', { event: 'merged' })).toBe(1);
    // Only salve's own merged PR starts a follow-up, with the merge commit GitHub reported.
    const full = closed.repository as { full_name: string };
    expect(followed).toEqual([[full.full_name, closed.pull_request.number, closed.pull_request.merge_commit_sha]]);
    expect(planner.calls).toBe(0);
    await server?.idle();
    mock.verify();
  });

  it('disarms auto-merge as soon as someone else pushes to a salve branch, from the push webhook', async () => {
    mock = httpMock();
    appAuth(mock);
    const sync = examples.find((e) => e.name === 'pull_request')?.examples.find((e) => e.action === 'synchronize') as {
      pull_request: Record<string, unknown>;
      repository: Record<string, unknown>;
      sender: Record<string, unknown>;
    } & Record<string, unknown>;
    const { fixturePublish } = await import('../../engine/app/__fixtures__/requests.ts');
    const { FROZEN_MARKER, renderBody } = await import('../../engine/publish/github/markers.ts');
    const ours = fixturePublish({ mode: 'automate' }).request;
    const push = {
      ...sync,
      repository: { ...sync.repository, name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } },
      sender: { ...sync.sender, login: 'mallory' },
      pull_request: {
        ...sync.pull_request,
        number: 31,
        node_id: 'PR_kw31',
        user: { login: BOT, type: 'Bot' },
        body: renderBody(ours),
        labels: labelsFor(ours).map((name, id) => ({ id, name })),
        auto_merge: { enabled_by: { login: BOT }, merge_method: 'squash' },
      },
    };
    gh.graphqlMutation(mock.scope, 'disablePullRequestAutoMerge', 'PR_kw31');
    mock.scope.get(`/repos/${OWNER}/${REPO}/issues/31/comments`).query({ per_page: '100' }).reply(200, []);
    mock.scope
      .post(`/repos/${OWNER}/${REPO}/issues/31/comments`, (b: { body: string }) => b.body.startsWith(FROZEN_MARKER))
      .reply(201, { id: 1 });
    const url = await start(groupingPlanner(), dirCheckout(''));
    const body = JSON.stringify(push);
    const sent = await fetch(`${url}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': 'd-sync-1',
        'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
      },
      body,
    });
    expect(sent.status).toBe(202);
    await server?.idle();
    mock.verify();
  });

  it('refuses unauthenticated or malformed alerts and serves health, readiness and metrics', async () => {
    mock = httpMock();
    mock.scope.get('/app').reply(200, { id: 12345, slug: 'salve-app' });
    const planner = groupingPlanner();
    const url = await start(planner, dirCheckout(''));
    expect((await postAlerts(url, payload([checkoutAlert]), {})).status).toBe(401);
    expect(
      (await postAlerts(url, payload([checkoutAlert]), { authorization: 'Bearer wrong-token-0123456789' })).status,
    ).toBe(401);
    expect((await postAlerts(url, '{"version":"3"}')).status).toBe(400);
    const hmac = createHmac('sha256', 'not-configured').update('x').digest('hex');
    expect((await postAlerts(url, 'x', { 'x-salve-signature': `sha256=${hmac}` })).status).toBe(401);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await expect.poll(async () => (await fetch(`${url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('# TYPE salve_signals_received_total counter');
    expect(metrics).toContain('salve_pending_remediations 0');
    expect(planner.calls).toBe(0);
    mock.verify();
  });

  function openMocks(m: HttpMock, req: PublishRequest, number: number, sha: string, digest: string) {
    gh.headLookup(m.scope, req.branch, []);
    gh.inventory(m.scope, []);
    gh.branchMissing(m.scope, req.branch);
    gh.commitFlow(m.scope, req, sha);
    gh.createRef(m.scope, req.branch, sha);
    gh.createPull(m.scope, req, number);
    gh.addLabels(m.scope, number, labelsFor(req));
    gh.codeowners(m.scope, req.baseCommit, null);
    gh.checkRun(m.scope, sha, 'success', digest);
  }

  it('turns the same alert twice into one PR, updated once, with the GitHub calls in order', async () => {
    mock = httpMock();
    const { fixturePublish } = await import('../../engine/app/__fixtures__/requests.ts');
    const first = fixturePublish({ namespace: 'shop', name: 'checkout', occurrences: 1, lastSeen: NOW.toISOString() });
    const second = fixturePublish({ namespace: 'shop', name: 'checkout', occurrences: 2, lastSeen: NOW.toISOString() });
    const branch = first.request.branch;
    appAuth(mock);
    openMocks(mock, first.request, 31, '1'.repeat(40), first.remediation.proofDigest);
    const url = await start(groupingPlanner(), dirCheckout('holdPeriod: 2h\n'));
    expect((await postAlerts(url, payload([checkoutAlert]))).status).toBe(202);
    await server?.idle();
    const afterFirst = mock.calls.length;

    const { renderBody } = await import('../../engine/publish/github/markers.ts');
    gh.headLookup(mock.scope, branch, [
      pull({
        number: 31,
        branch,
        body: renderBody(first.request),
        labels: labelsFor(first.request),
        headSha: '1'.repeat(40),
      }),
    ]);
    gh.prCommits(mock.scope, 31, [prCommit('1'.repeat(40), BOT)]);
    gh.commitFlow(mock.scope, second.request, '2'.repeat(40));
    gh.updateRef(mock.scope, branch, '2'.repeat(40));
    gh.updatePull(mock.scope, 31, branch);
    gh.checkRun(mock.scope, '2'.repeat(40), 'success', second.remediation.proofDigest);
    expect((await postAlerts(url, payload([checkoutAlert]))).status).toBe(202);
    await server?.idle();

    const R = gh.REPO_PATH;
    const writes = mock.calls.filter((c) => !c.startsWith('GET'));
    expect(mock.calls.slice(0, 3).sort()).toEqual(
      ['GET /app', `GET /repos/${OWNER}/${REPO}/installation`, 'POST /app/installations/99/access_tokens'].sort(),
    );
    expect(writes.filter((c) => c === `POST ${R}/pulls`)).toHaveLength(1);
    expect(writes.filter((c) => c === `PATCH ${R}/pulls/31`)).toHaveLength(1);
    expect(mock.calls.slice(afterFirst)).toEqual([
      `GET ${R}/pulls?head=${OWNER}:${branch}&state=all&per_page=100`,
      `GET ${R}/pulls/31/commits?per_page=100`,
      `GET ${R}/git/commits/${'a'.repeat(40)}`,
      ...second.request.files.map(() => `POST ${R}/git/blobs`),
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `PATCH ${R}/git/refs/heads/${branch}`,
      `PATCH ${R}/pulls/31`,
      `POST ${R}/check-runs`,
    ]);
    expect(server?.metrics.get('salve_pull_requests_total', { event: 'opened' })).toBe(1);
    expect(server?.metrics.get('salve_pull_requests_total', { event: 'updated' })).toBe(1);
    mock.verify();
  });

  it('turns a storm of 500 alerts for one owner into one PR', async () => {
    mock = httpMock();
    const { fixturePublish } = await import('../../engine/app/__fixtures__/requests.ts');
    const first = fixturePublish({ namespace: 'shop', name: 'checkout', occurrences: 1, lastSeen: NOW.toISOString() });
    const last = fixturePublish({ namespace: 'shop', name: 'checkout', occurrences: 500, lastSeen: NOW.toISOString() });
    const branch = first.request.branch;
    appAuth(mock);
    openMocks(mock, first.request, 41, '4'.repeat(40), first.remediation.proofDigest);
    const { renderBody } = await import('../../engine/publish/github/markers.ts');
    gh.headLookup(mock.scope, branch, [
      pull({ number: 41, branch, body: renderBody(first.request), labels: labelsFor(first.request) }),
    ]);
    gh.prCommits(mock.scope, 41, [prCommit('4'.repeat(40), BOT)]);
    gh.commitFlow(mock.scope, last.request, '5'.repeat(40));
    gh.updateRef(mock.scope, branch, '5'.repeat(40));
    gh.updatePull(mock.scope, 41, branch);
    gh.checkRun(mock.scope, '5'.repeat(40), 'success', last.remediation.proofDigest);

    // The first run is held until the whole storm is in, so that the rest arrives while it is busy.
    const inner = groupingPlanner();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const planner: Planner & { calls: number } = {
      calls: 0,
      async plan(p, ctx) {
        planner.calls++;
        if (planner.calls === 1) await gate;
        return inner.plan(p, ctx);
      },
    };
    const checkout = dirCheckout('');
    // fetch opens one connection per request here: 500 at once, above the default connection cap.
    // A queue entry keeps up to 1000 alerts of one workload here (default 200), so all 500 are counted.
    const url = await start(planner, checkout, ['--max-connections', '1024', '--queue-max-alerts-per-owner', '1000']);
    const stormAlert = (i: number) =>
      payload([alert({ namespace: 'shop', pod: `checkout-7d9f8-${i}`, container: 'app', deployment: 'checkout' })]);
    // The first alert starts a run; the other 499 arrive while it is busy.
    const firstPost = postAlerts(url, stormAlert(0));
    await expect.poll(() => planner.calls).toBe(1);
    const responses = await Promise.all([
      firstPost,
      ...Array.from({ length: 499 }, (_, i) => postAlerts(url, stormAlert(i + 1))),
    ]);
    expect(responses.every((r) => r.status === 202)).toBe(true);
    release();
    await server?.idle();
    expect(planner.calls).toBe(2);
    expect(checkout.prepared).toBe(2);
    expect(mock.calls.filter((c) => c === `POST ${gh.REPO_PATH}/pulls`)).toHaveLength(1);
    expect(server?.metrics.get('salve_signals_received_total', { source: 'alertmanager' })).toBe(500);
    mock.verify();
  });
});
