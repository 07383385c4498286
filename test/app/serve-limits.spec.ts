/**
 * salve serve under hostile traffic, over real HTTP on 127.0.0.1: unauthenticated bodies are not
 * buffered, buffering is capped, slow clients are cut off, connections are capped, metric labels
 * stay bounded, replayed deliveries are dropped and repository names are checked.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { groupingPlanner } from '../../engine/app/__fixtures__/requests.ts';
import { loadServeConfig } from '../../engine/app/config.ts';
import { createServer, type SalveServer } from '../../engine/app/server.ts';
import type { Planner } from '../../engine/app/types.ts';
import { ConfigError } from '../../engine/model/index.ts';
import { type HttpMock, httpMock } from './http-mock.ts';
import { head, rawRequest } from './raw-http.ts';
import { removeStateDirs, stateDir } from './state-dir.ts';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;
const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';
const INTAKE_TOKEN = 'intake-token-for-tests-0123456789';
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

let privateKey: string;
beforeAll(() => {
  privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
});

const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const alertBody = JSON.stringify({
  version: '4',
  groupKey: '{}:{alertname="KubePodCrashLooping"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'salve',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts: [],
});

describe('app: salve serve limits', () => {
  let server: SalveServer | null = null;
  let mock: HttpMock | null = null;
  afterEach(async () => {
    await server?.close();
    removeStateDirs();
    server = null;
    mock?.reset();
    mock = null;
  });

  async function start(flags: string[] = [], env: Record<string, string> = {}, planner: Planner = groupingPlanner()) {
    mock = httpMock();
    mock.scope.get('/app').optionally().reply(200, { id: 12345, slug: 'salve-app' });
    const config = loadServeConfig(['--port', '0', '--host', '127.0.0.1', '--state-dir', stateDir(), ...flags], {
      SALVE_APP_ID: '12345',
      SALVE_PRIVATE_KEY: privateKey,
      SALVE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SALVE_ALERTMANAGER_TOKEN: INTAKE_TOKEN,
      ...env,
    });
    server = createServer(config, {
      planner,
      logger: silent,
      github: { retries: 0, throttle: false },
      repoRunner: async () => {},
    });
    return server.listen();
  }

  it('answers a wrong bearer token before the body arrives, and never reads it', { timeout: 15_000 }, async () => {
    const url = await start();
    const ex = await rawRequest(
      url,
      `${head('POST', '/intake/alertmanager/acme/platform-config', {
        authorization: 'Bearer wrong-token-0123456789',
        'content-type': 'application/json',
        'content-length': 4 * 1024 * 1024,
      })}{"version":"4",`,
    );
    const res = await ex.response;
    expect(res.status).toBe(401);
    await ex.closed;
    const none = await rawRequest(
      url,
      `${head('POST', '/webhooks/github', { 'x-github-event': 'ping', 'content-length': 4 * 1024 * 1024 })}{`,
    );
    expect((await none.response).status).toBe(401);
  });

  it(
    'refuses a declared body over the limit at once, and caps bodies buffered at the same time',
    {
      timeout: 15_000,
    },
    async () => {
      const url = await start(['--max-concurrent-bodies', '2', '--max-body-bytes', '100000']);
      const big = await rawRequest(
        url,
        head('POST', '/webhooks/github', {
          'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
          'content-length': 200000,
        }),
      );
      expect((await big.response).status).toBe(413);

      const hold = () =>
        rawRequest(
          url,
          `${head('POST', '/webhooks/github', {
            'x-github-event': 'ping',
            'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
            'content-length': 50000,
          })}{"zen":`,
        );
      const first = await hold();
      const second = await hold();
      await expect.poll(() => server?.metrics.get('salve_http_bodies_in_flight') ?? 0).toBe(2);
      const third = await hold();
      const res = await third.response;
      expect(res.status).toBe(503);
      expect(res.head).toMatch(/\r\nretry-after: \d+/i);
      first.socket.destroy();
      second.socket.destroy();
      await expect.poll(() => server?.metrics.get('salve_http_bodies_in_flight') ?? 0).toBe(0);
    },
  );

  it('cuts off slow headers and slow bodies', { timeout: 15_000 }, async () => {
    const url = await start(['--headers-timeout-ms', '500', '--request-timeout-ms', '800']);
    const slowHead = await rawRequest(url, 'POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect((await slowHead.response).status).toBe(408);
    await slowHead.closed;
    const slowBody = await rawRequest(
      url,
      `${head('POST', '/webhooks/github', {
        'x-github-event': 'ping',
        'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
        'content-length': 1000,
      })}{"zen":`,
    );
    await slowBody.closed;
    expect(server?.metrics.get('salve_http_bodies_in_flight')).toBe(0);
  });

  it('caps open connections', { timeout: 15_000 }, async () => {
    const url = await start(['--max-connections', '3']);
    const held = await Promise.all([1, 2, 3].map(() => rawRequest(url, 'GET /healthz HTTP/1.1\r\n')));
    const extra = await rawRequest(url, head('GET', '/healthz', { connection: 'close' }));
    await expect(extra.response).rejects.toThrow(/closed without a response/);
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    await expect.poll(async () => (await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('keeps metric labels to known values, whatever the event header says', async () => {
    const url = await start();
    for (let i = 0; i < 40; i++) {
      await fetch(`${url}/webhooks/github`, {
        method: 'POST',
        headers: { 'x-github-event': `made-up-${i}`, 'x-hub-signature-256': `sha256=${'1'.repeat(64)}` },
        body: '{}',
      });
    }
    const body = '{"zen":"Keep it logically awesome.","hook_id":1}';
    await fetch(`${url}/webhooks/github`, {
      method: 'POST',
      headers: {
        'x-github-event': 'made-up-signed',
        'x-github-delivery': 'd-x',
        'x-hub-signature-256': sign(WEBHOOK_SECRET, body),
      },
      body,
    });
    const text = await (await fetch(`${url}/metrics`)).text();
    const series = text.split('\n').filter((l) => l.startsWith('salve_webhooks_total{'));
    expect(series.length).toBeLessThanOrEqual(2);
    expect(text).not.toContain('made-up');
    expect(server?.metrics.get('salve_webhooks_total', { event: 'other', result: 'unauthorized' })).toBe(40);
  });

  it('accepts a delivery once: a replayed delivery id or body is dropped', async () => {
    const url = await start();
    const closed = examples.find((e) => e.name === 'pull_request')?.examples.find((e) => e.action === 'closed') as {
      pull_request: Record<string, unknown>;
    } & Record<string, unknown>;
    const body = JSON.stringify({ ...closed, pull_request: { ...closed.pull_request, merged: true } });
    const send = (delivery: string) =>
      fetch(`${url}/webhooks/github`, {
        method: 'POST',
        headers: {
          'x-github-event': 'pull_request',
          'x-github-delivery': delivery,
          'x-hub-signature-256': sign(WEBHOOK_SECRET, body),
        },
        body,
      });
    expect((await send('72d3162e-cc78-11e3-81ab-4c9367dc0958')).status).toBe(202);
    const again = await send('72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(again.status).toBe(200);
    expect(await again.text()).toBe('duplicate\n');
    expect((await send('a-new-id-for-the-same-body')).status).toBe(200);
    expect(server?.metrics.get('salve_webhooks_total', { event: 'pull_request', result: 'accepted' })).toBe(1);
    expect(server?.metrics.get('salve_webhooks_total', { event: 'pull_request', result: 'duplicate' })).toBe(2);
  });

  it('refuses . and .. as repository names in the route, the query and the configuration', async () => {
    const url = await start([], { SALVE_REPO: 'acme/platform-config' });
    const post = async (path: string) => {
      const ex = await rawRequest(
        url,
        head('POST', path, {
          authorization: `Bearer ${INTAKE_TOKEN}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(alertBody),
          connection: 'close',
        }) + alertBody,
      );
      return ex.response;
    };
    for (const path of [
      '/intake/alertmanager?repo=acme/..',
      '/intake/alertmanager?repo=../platform-config',
      '/intake/alertmanager?repo=./.',
      '/intake/alertmanager/acme/..',
      '/intake/alertmanager/../..',
      '/intake/alertmanager/acme/%2e%2e',
      '/intake/alertmanager/acme/platform-config/../other',
    ]) {
      const res = await post(path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body).toMatch(/repository|path/);
    }
    const ok = await post('/intake/alertmanager/acme/.github');
    expect(ok.status).toBe(202);
    expect(JSON.parse(ok.body)).toEqual({ accepted: 0, repo: 'acme/.github' });
    for (const repo of ['acme/..', './x', 'acme/.']) {
      expect(() =>
        loadServeConfig([], {
          SALVE_APP_ID: '1',
          SALVE_PRIVATE_KEY: privateKey,
          SALVE_WEBHOOK_SECRET: WEBHOOK_SECRET,
          SALVE_ALERTMANAGER_TOKEN: INTAKE_TOKEN,
          SALVE_REPO: repo,
        }),
      ).toThrow(ConfigError);
    }
  });
});
