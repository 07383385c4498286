/**
 * `salve serve` with the real pipeline behind it: an Alertmanager payload over real HTTP on
 * 127.0.0.1, the real planner (intake, perception, kustomize, opa-wasm, signed proof) on a real
 * config repo checkout, and the GitHub calls it makes asserted against nock.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadServeConfig } from '../../engine/app/config.ts';
import { createServer, type SalveServer } from '../../engine/app/server.ts';
import type { Checkout } from '../../engine/app/types.ts';
import { createDemoWorld, DEMO_NOW, type DemoWorld, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import type { PublishRequest } from '../../engine/model/remediation.ts';
import { createPlanner } from '../../engine/pipeline/planner.ts';
import { labelsFor } from '../../engine/publish/github/markers.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import * as gh from './github-flows.ts';
import { OWNER, REPO } from './github-replies.ts';
import { type HttpMock, httpMock } from './http-mock.ts';
import { removeStateDirs, stateDir } from './state-dir.ts';

const INTAKE_TOKEN = 'intake-token-for-tests-0123456789';
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

let world: DemoWorld;
let privateKey: string;
let server: SalveServer | null = null;
let mock: HttpMock | null = null;

beforeAll(async () => {
  world = await createDemoWorld({ remote: false });
  privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
});

afterAll(async () => {
  await world?.close();
});

afterEach(async () => {
  await server?.close();
  removeStateDirs();
  server = null;
  mock?.reset();
});

/** The example repo as the App's checkout would have cloned it: read-only to the pipeline. */
const checkout: Checkout = {
  async prepare() {
    return { dir: world.work, baseCommit: world.head, baseBranch: 'main', cleanup: async () => {} };
  },
};

describe('app: salve serve with the real pipeline', () => {
  it('turns an HPA alert into one signed remediation PR, with the planned files, labels and policy check', async () => {
    const body = await readFile(join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json'), 'utf8');
    const planner = createPlanner({ signingKey: world.signingKey, log: silentLogger() });

    // The pipeline is deterministic for a repo, key and clock: plan once to know what GitHub must receive.
    const [expected] = await planner.plan(JSON.parse(body), {
      repo: { owner: OWNER, repo: REPO },
      checkoutDir: world.work,
      now: DEMO_NOW,
    });
    if (expected?.kind !== 'publish') throw new Error(`expected a publish plan, got ${expected?.kind}`);
    const req: PublishRequest = expected.request;
    expect(req.files.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'apps/checkout/overlays/staging/kustomization.yaml',
        `.salve/remediations/${req.id}/proof.dsse.json`,
        `.salve/remediations/${req.id}/proof.json`,
        `.salve/remediations/${req.id}/explanation.md`,
      ]),
    );

    mock = httpMock();
    mock.scope.get('/app').reply(200, { id: 12345, slug: 'salve-app', name: 'salve', owner: { login: OWNER } });
    mock.scope.get(`/repos/${OWNER}/${REPO}/installation`).reply(200, { id: 99, account: { login: OWNER } });
    mock.scope.post('/app/installations/99/access_tokens').reply(201, {
      token: 'ghs_0123456789abcdefghijABCDEFGHIJ012345',
      expires_at: '2025-06-12T11:00:00Z',
      permissions: {},
      repository_selection: 'selected',
    });
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

    const config = loadServeConfig(['--port', '0', '--host', '127.0.0.1', '--state-dir', stateDir()], {
      SALVE_APP_ID: '12345',
      SALVE_PRIVATE_KEY: privateKey,
      SALVE_WEBHOOK_SECRET: 'webhook-secret-for-tests-0123456789',
      SALVE_ALERTMANAGER_TOKEN: INTAKE_TOKEN,
    });
    server = createServer(config, {
      planner,
      checkout,
      logger: silent,
      clock: { now: () => DEMO_NOW },
      github: { retries: 0, throttle: false },
    });
    const url = await server.listen();
    const res = await fetch(`${url}/intake/alertmanager/${OWNER}/${REPO}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INTAKE_TOKEN}` },
      body,
    });
    expect(res.status).toBe(202);
    await server.idle();
    mock.verify();
    const R = gh.REPO_PATH;
    const writes = mock.calls.filter((c) => !c.startsWith('GET'));
    expect(writes).toEqual([
      'POST /app/installations/99/access_tokens',
      ...req.files.map(() => `POST ${R}/git/blobs`),
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `POST ${R}/git/refs`,
      `POST ${R}/check-runs`,
      `POST ${R}/pulls`,
      `POST ${R}/issues/7/labels`,
    ]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/salve_decisions_total\{mode="approve"\} 1/);
  });

  it('reports drift without a pull request: a warning with the evidence, and the drift metrics', async () => {
    // checkout's pods crash-loop on an image git does not render (it pins 1.8.2).
    const payload = JSON.parse(await readFile(join(EXAMPLE_SIGNALS, 'crashloop-checkout-production.json'), 'utf8'));
    for (const alert of payload.alerts) alert.labels.image = 'ghcr.io/example-org/checkout:1.99.0';
    const warnings: Array<{ data: unknown; msg: string }> = [];
    const logger = {
      ...silent,
      warn: (data: unknown, msg: string) => warnings.push({ data, msg }),
      child: () => logger,
    };
    mock = httpMock();
    mock.scope.get('/app').reply(200, { id: 12345, slug: 'salve-app', name: 'salve', owner: { login: OWNER } });
    mock.scope.get(`/repos/${OWNER}/${REPO}/installation`).reply(200, { id: 99, account: { login: OWNER } });
    mock.scope.post('/app/installations/99/access_tokens').reply(201, {
      token: 'ghs_0123456789abcdefghijABCDEFGHIJ012345',
      expires_at: '2025-06-12T11:00:00Z',
      permissions: {},
      repository_selection: 'selected',
    });
    const config = loadServeConfig(['--port', '0', '--host', '127.0.0.1', '--state-dir', stateDir()], {
      SALVE_APP_ID: '12345',
      SALVE_PRIVATE_KEY: privateKey,
      SALVE_WEBHOOK_SECRET: 'webhook-secret-for-tests-0123456789',
      SALVE_ALERTMANAGER_TOKEN: INTAKE_TOKEN,
    });
    server = createServer(config, {
      planner: createPlanner({ signingKey: world.signingKey, log: silentLogger() }),
      checkout,
      logger,
      clock: { now: () => DEMO_NOW },
      github: { retries: 0, throttle: false },
    });
    const url = await server.listen();
    const res = await fetch(`${url}/intake/alertmanager/${OWNER}/${REPO}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INTAKE_TOKEN}` },
      body: JSON.stringify(payload),
    });
    expect(res.status).toBe(202);
    await server.idle();
    mock.verify();
    expect(mock.calls.filter((c) => !c.startsWith('GET') && !c.includes('access_tokens'))).toEqual([]);
    expect(warnings).toContainEqual({
      msg: 'drift: the cluster runs an image git does not render; no pull request',
      data: expect.objectContaining({
        failingImage: 'ghcr.io/example-org/checkout:1.99.0',
        renderedImage: 'ghcr.io/example-org/checkout:1.8.2',
        gitSetsItIn: expect.stringContaining('apps/checkout/overlays/production/kustomization.yaml:'),
      }),
    });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/salve_drift_findings_total\{namespace="checkout"\} 1/);
    expect(metrics).toMatch(/salve_incidents_total\{outcome="drift"\} 1/);
  });

  it('logs and counts the alerts it cannot read, by reason class, and opens nothing', async () => {
    const payload = JSON.parse(await readFile(join(EXAMPLE_SIGNALS, 'oomkilled-checkout-production.json'), 'utf8'));
    const [first, second] = payload.alerts;
    payload.alerts = [
      { ...first, labels: { ...first.labels, alertname: 'MyCustomOOMAlert', reason: 'Custom' } },
      { ...second, labels: { ...second.labels, alertname: 'MyCustomOOMAlert', reason: 'Custom' } },
      { ...first, labels: { alertname: 'KubePodCrashLooping', cluster: 'production', pod: 'x' } },
    ];
    const warnings: { data: unknown; msg: string }[] = [];
    const capture = {
      ...silent,
      warn: (data: unknown, msg: string) => warnings.push({ data, msg }),
      child: () => capture,
    };
    mock = httpMock();
    mock.scope.get(`/repos/${OWNER}/${REPO}/installation`).reply(200, { id: 99, account: { login: OWNER } });
    mock.scope.post('/app/installations/99/access_tokens').reply(201, {
      token: 'ghs_0123456789abcdefghijABCDEFGHIJ012345',
      expires_at: '2025-06-12T11:00:00Z',
      permissions: {},
      repository_selection: 'selected',
    });
    mock.scope.get('/app').reply(200, { id: 12345, slug: 'salve-app', name: 'salve', owner: { login: OWNER } });
    const config = loadServeConfig(['--port', '0', '--host', '127.0.0.1'], {
      SALVE_APP_ID: '12345',
      SALVE_PRIVATE_KEY: privateKey,
      SALVE_WEBHOOK_SECRET: 'webhook-secret-for-tests-0123456789',
      SALVE_ALERTMANAGER_TOKEN: INTAKE_TOKEN,
    });
    server = createServer(config, {
      planner: createPlanner({ signingKey: world.signingKey, log: silentLogger() }),
      checkout,
      logger: capture,
      clock: { now: () => DEMO_NOW },
      github: { retries: 0, throttle: false },
    });
    const url = await server.listen();
    const res = await fetch(`${url}/intake/alertmanager/${OWNER}/${REPO}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INTAKE_TOKEN}` },
      body: JSON.stringify(payload),
    });
    expect(res.status).toBe(202);
    await server.idle();
    mock.verify();
    expect(mock.calls.filter((c) => !c.startsWith('GET'))).toEqual(['POST /app/installations/99/access_tokens']);
    expect(warnings).toContainEqual({
      msg: 'alerts skipped: salve cannot act on them (see alerts: in .salve.yaml)',
      data: {
        count: 3,
        skipped: [
          {
            alert: 'MyCustomOOMAlert',
            reason:
              'unrecognised alert name: no built-in rule and no alerts: entry in .salve.yaml maps it to a signal kind',
          },
          {
            alert: 'MyCustomOOMAlert',
            reason:
              'unrecognised alert name: no built-in rule and no alerts: entry in .salve.yaml maps it to a signal kind',
          },
          { alert: 'KubePodCrashLooping', reason: 'no namespace label' },
        ],
      },
    });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    // The reason class is the only label: alert names are whatever a payload says, so they are not one.
    expect(metrics).toContain('salve_alerts_skipped_total{reason="unrecognised"} 2');
    expect(metrics).toContain('salve_alerts_skipped_total{reason="missing-label"} 1');
    expect(metrics).not.toContain('MyCustomOOMAlert');
  });
});
