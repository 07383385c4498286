/**
 * `salve serve --cluster-intake on` against a real kube-apiserver: the flags name a kubeconfig
 * context, salve proves its identity cannot write, watches the cluster, and a pod that gets
 * OOM-killed becomes a signed remediation PR (GitHub is nock) whose explanation carries the
 * evidence read from the cluster: the image as running, the previous log (served through the API
 * server by a stand-in kubelet), redacted, and the pod's events. The same flags with an identity
 * that may patch Deployments make serve refuse to start.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { clusterRunPayload } from '../../engine/app/cluster-intake.ts';
import { serveCommand } from '../../engine/app/serve.ts';
import type { SalveServer } from '../../engine/app/server.ts';
import type { Checkout } from '../../engine/app/types.ts';
import { connect, startClusters, WriteAccessError } from '../../engine/cluster/index.ts';
import { type KubeIdentity, kubeconfigYaml } from '../../engine/demo/servers/kube-client.ts';
import { createDemoWorld, DEMO_NOW, type DemoWorld } from '../../engine/demo/setup.ts';
import { createPlanner } from '../../engine/pipeline/planner.ts';
import { labelsFor } from '../../engine/publish/github/markers.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import * as gh from '../app/github-flows.ts';
import { OWNER, REPO } from '../app/github-replies.ts';
import { type HttpMock, httpMock } from '../app/http-mock.ts';
import { type FakeKubelet, startFakeKubelet } from './fake-kubelet.ts';
import {
  createDeploymentPod,
  createPodEvent,
  ensureNamespace,
  oomKilledStatus,
  writePodStatus,
} from './kube-objects.ts';

const kube = inject('kube');
const NS = 'checkout';
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

let world: DemoWorld;
let dir: string;
let privateKey: string;
let kubelet: FakeKubelet;
let server: SalveServer | null = null;
let mock: HttpMock | null = null;

const checkout: Checkout = {
  async prepare() {
    return { dir: world.work, baseCommit: world.head, baseBranch: 'main', cleanup: async () => {} };
  },
};

function kubeconfigFor(id: KubeIdentity): string {
  const file = join(dir, `${id.user}.kubeconfig`);
  writeFileSync(file, kubeconfigYaml(kube, id, { context: 'prod-ctx' }), { mode: 0o600 });
  return file;
}

function env(kubeconfig: string): Record<string, string> {
  return {
    SALVE_APP_ID: '12345',
    SALVE_PRIVATE_KEY: privateKey,
    SALVE_WEBHOOK_SECRET: 'webhook-secret-for-tests-0123456789',
    SALVE_ALERTMANAGER_TOKEN: 'intake-token-for-tests-0123456789',
    SALVE_REPO: `${OWNER}/${REPO}`,
    SALVE_CLUSTER_INTAKE: 'on',
    SALVE_KUBECONFIG: kubeconfig,
    SALVE_KUBE_CONTEXTS: 'production=prod-ctx',
    SALVE_CLUSTER_NAMESPACES: NS,
  };
}

/** The markdown with fenced code blocks removed, as CommonMark closes them (a run of at least as many backticks). */
function outsideFences(md: string): string {
  const out: string[] = [];
  let open = 0;
  for (const line of md.split('\n')) {
    const run = /^(`{3,})/.exec(line)?.[1]?.length ?? 0;
    if (open === 0 && run > 0) open = run;
    else if (open > 0 && run >= open && line.trim() === '`'.repeat(run)) open = 0;
    else if (open === 0) out.push(line);
  }
  return out.join('\n');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'salve-serve-cluster-'));
  world = await createDemoWorld({ remote: false });
  privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  await ensureNamespace(kube, NS);
  kubelet = await startFakeKubelet(kube, 'serve-node-1');
});

afterAll(async () => {
  await kubelet?.stop();
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await server?.close();
  server = null;
  mock?.reset();
});

describe('salve serve with the cluster intake (real kube-apiserver)', () => {
  it('refuses to start as an identity that may patch Deployments, naming the rule', async () => {
    const err = await serveCommand(
      ['--port', '0', '--host', '127.0.0.1', '--state-dir', join(dir, 'state')],
      env(kubeconfigFor(kube.identities.powerful)),
      {
        planner: (log, cluster) =>
          createPlanner({ signingKey: world.signingKey, log, ...(cluster ? { cluster } : {}) }),
        logger: silent,
        signals: [],
      },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WriteAccessError);
    expect((err as WriteAccessError).exitCode).toBe(2);
    expect((err as Error).message).toContain('cluster production: salve refuses to run as salve-powerful');
    expect((err as Error).message).toContain(`patch on deployments (apiGroups apps) [in namespace ${NS}]`);
  });

  it('turns an OOM-killed pod into a remediation PR whose explanation shows the cluster evidence', async () => {
    const pod = await createDeploymentPod(kube, NS, 'checkout', {
      hash: '7d9f8b6c5d',
      suffix: 'x2x7k',
      node: kubelet.node,
      image: 'ghcr.io/acme/checkout:3.2.0',
    });
    await writePodStatus(
      kube,
      NS,
      pod,
      oomKilledStatus('checkout', 'ghcr.io/acme/checkout:3.2.0', '2025-06-12T09:50:00Z'),
    );
    await createPodEvent(kube, NS, pod, {
      reason: 'BackOff',
      message: `Back-off restarting failed container checkout in pod ${pod}_${NS}`,
      container: 'checkout',
      at: '2025-06-12T09:51:00Z',
      count: 5,
      name: `${pod}.backoff`,
    });
    kubelet.logs.set(
      `${NS}/${pod}/checkout`,
      [
        '2025-06-12T09:49:58Z INFO warming cache for 120000 products',
        '2025-06-12T09:49:59Z DEBUG db url postgres://checkout:pa55word@db.checkout:5432/shop',
        '2025-06-12T09:50:00Z ERROR java.lang.OutOfMemoryError: Java heap space',
        '```',
        '## Why allowed',
        '',
      ].join('\n'),
    );

    // What GitHub must receive: the same pipeline over the same cluster state, planned once up front.
    const reader = kubeconfigFor(kube.identities.reader);
    const feed = await startClusters(
      {
        kubeconfig: reader,
        contexts: [{ name: 'production', context: 'prod-ctx', inCluster: false }],
        namespaces: [NS],
      },
      {
        log: silentLogger(),
        connections: [connect({ name: 'production', context: 'prod-ctx', inCluster: false }, reader)],
      },
    );
    await feed.synced;
    const planner = createPlanner({
      signingKey: world.signingKey,
      log: silentLogger(),
      cluster: { feed, repo: `${OWNER}/${REPO}` },
    });
    const [expected] = await planner.plan(clusterRunPayload(), {
      repo: { owner: OWNER, repo: REPO },
      checkoutDir: world.work,
      now: DEMO_NOW,
    });
    await feed.stop();
    if (expected?.kind !== 'publish')
      throw new Error(`expected a publish plan, got ${expected?.kind}: ${JSON.stringify(expected).slice(0, 300)}`);
    const req = expected.request;
    expect(req.pr.title).toContain('checkout');
    const explanation = req.files.find((f) => f.path.endsWith('/explanation.md'))?.after ?? '';
    expect(explanation).toContain('### From the cluster');
    expect(explanation).toContain('`image running in checkout/checkout-7d9f8b6c5d-x2x7k container checkout`');
    expect(explanation).toContain('2025-06-12T09:50:00Z ERROR java.lang.OutOfMemoryError: Java heap space');
    expect(explanation).toContain('postgres://checkout:[redacted]@db.checkout');
    expect(explanation).not.toContain('pa55word');
    expect(explanation).toContain('Warning BackOff (x5): Back-off restarting failed container checkout');
    // The log's own fence and heading stay inside a longer fence: inert text, not markdown.
    expect(explanation).toMatch(/````text\n[\s\S]*?\n```\n## Why allowed\n````/);
    expect(outsideFences(explanation).match(/^## Why allowed$/gm)).toHaveLength(1);

    mock = httpMock();
    mock.scope.get('/app').reply(200, { id: 12345, slug: 'salve-app', name: 'salve', owner: { login: OWNER } });
    mock.scope.get(`/repos/${OWNER}/${REPO}/installation`).reply(200, { id: 99, account: { login: OWNER } });
    mock.scope.post('/app/installations/99/access_tokens').reply(201, {
      token: 'ghs_0123456789abcdefghijABCDEFGHIJ012345',
      expires_at: '2025-06-12T11:00:00Z',
      permissions: {},
      repository_selection: 'selected',
    });
    // At start, salve looks for merged PRs whose follow-up a restart interrupted: there are none.
    mock.scope
      .get(`/repos/${OWNER}/${REPO}/pulls`)
      .query({ state: 'closed', sort: 'updated', direction: 'desc', per_page: '100' })
      .reply(200, []);
    const sha = '7'.repeat(40);
    gh.headLookup(mock.scope, req.branch, []);
    gh.inventory(mock.scope, []);
    gh.branchMissing(mock.scope, req.branch);
    gh.commitFlow(mock.scope, req, sha);
    gh.createRef(mock.scope, req.branch, sha);
    gh.createPull(mock.scope, req, 7);
    gh.addLabels(mock.scope, 7, labelsFor(req));
    gh.codeowners(mock.scope, req.baseCommit, null);
    gh.checkRun(mock.scope, sha, 'success', expected.remediation.proofDigest);

    server = await serveCommand(
      ['--port', '0', '--host', '127.0.0.1', '--state-dir', join(dir, 'state')],
      env(reader),
      {
        planner: (log, cluster) =>
          createPlanner({ signingKey: world.signingKey, log, ...(cluster ? { cluster } : {}) }),
        checkout,
        logger: silent,
        clock: { now: () => DEMO_NOW },
        github: { retries: 0, throttle: false },
        signals: [],
      },
    );
    // No alert is posted: the watch sees the OOM-killed pod and queues the run itself.
    for (let i = 0; i < 600 && !mock.calls.some((c) => c.includes('/check-runs')); i++)
      await new Promise((r) => setTimeout(r, 50));
    await server.idle();
    mock.verify();
    const R = gh.REPO_PATH;
    expect(mock.calls.filter((c) => !c.startsWith('GET'))).toEqual([
      'POST /app/installations/99/access_tokens',
      ...req.files.map(() => `POST ${R}/git/blobs`),
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `POST ${R}/git/refs`,
      `POST ${R}/check-runs`,
      `POST ${R}/pulls`,
      `POST ${R}/issues/7/labels`,
    ]);
    const metrics = server.metrics.render();
    expect(metrics).toMatch(/salve_signals_received_total\{source="kubernetes"\} [1-9]/);
    expect(metrics).toMatch(/salve_decisions_total\{mode="approve"\} 1/);
  });
});
