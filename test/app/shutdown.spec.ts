/**
 * Graceful shutdown: on SIGTERM (close) the intake answers 503 with `Connection: close`, readiness
 * fails, running jobs get the grace period and are otherwise handed back (their inbox stays), and
 * the process exits even when a job never ends. A later start finishes the handed-back work.
 */
import { request } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadServeConfig } from '../../engine/app/config.ts';
import { createServer, type SalveServer } from '../../engine/app/server.ts';
import { generateEphemeralKey, privateKeyPem } from '../../engine/policy/index.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import { type FakeGitHub, startFakeGitHub } from './fake-github.ts';
import { OWNER, REPO } from './github-replies.ts';
import { startServe, stopAll } from './serve-process.ts';
import { removeStateDirs, stateDir } from './state-dir.ts';
import { alertBody, appKey, basePlanner, expectWhole, fakeCheckout, INTAKE_TOKEN, WEBHOOK_SECRET } from './world.ts';

let privateKey: string;
let fake: FakeGitHub | null = null;
const servers: SalveServer[] = [];
beforeAll(() => {
  privateKey = appKey();
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close(0).catch(() => {});
  await stopAll();
  await fake?.close();
  fake = null;
  removeStateDirs();
});

const env = (f: FakeGitHub) => ({
  SALVE_APP_ID: '12345',
  SALVE_PRIVATE_KEY: privateKey,
  SALVE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  SALVE_ALERTMANAGER_TOKEN: INTAKE_TOKEN,
  SALVE_GITHUB_API_URL: f.url,
});

async function start(f: FakeGitHub, dir: string) {
  const config = loadServeConfig(['--port', '0', '--host', '127.0.0.1', '--state-dir', dir], env(f));
  const s = createServer(config, {
    planner: basePlanner(),
    checkout: fakeCheckout(f),
    logger: silentLogger(),
    github: { retries: 0, throttle: false },
  });
  servers.push(s);
  return { s, url: await s.listen() };
}

/** One request on its own connection (no keep-alive socket the server may be closing). */
function postFresh(url: string, deployment: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const body = alertBody(deployment);
    const req = request(
      `${url}/intake/alertmanager/${OWNER}/${REPO}`,
      {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${INTAKE_TOKEN}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const post = (url: string, deployment: string) =>
  fetch(`${url}/intake/alertmanager/${OWNER}/${REPO}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
    body: alertBody(deployment),
  });

describe('app: graceful shutdown', () => {
  it('stops intake with 503 and Connection: close, hands back a job that does not finish, and a restart finishes it', async () => {
    fake = await startFakeGitHub({ baseCommit: 'a'.repeat(40) });
    const dir = stateDir();
    const first = await start(fake, dir);
    fake.fault({ method: 'POST', path: /\/pulls$/, hold: 'before' });
    expect((await post(first.url, 'checkout')).status).toBe(202);
    await fake.held();

    // The grace only has to outlast the two requests below (the held job never finishes); a short
    // one lost the race on a busy machine and the server had closed before /readyz was asked.
    const closing = first.s.close(3_000);
    const refused = await postFresh(first.url, 'cart');
    expect(refused.status).toBe(503);
    expect(refused.headers.connection).toBe('close');
    expect(refused.headers['retry-after']).toBeDefined();
    expect((await fetch(`${first.url}/readyz`)).status).toBe(503);
    expect(await closing).toEqual({ finished: 0, handedBack: 1 });
    servers.splice(servers.indexOf(first.s), 1);

    const second = await start(fake, dir);
    await expect.poll(() => fake?.pulls.length, { timeout: 30_000 }).toBe(1);
    await second.s.idle();
    expectWhole(fake, [fake.pulls[0]?.head as string]);
    expect((await (await fetch(`${second.url}/metrics`)).text()).includes('salve_queue_depth 0')).toBe(true);
  });

  it(
    'a salve serve process exits 0 on SIGTERM though a job never ends, once the grace period is over',
    { timeout: 120_000 },
    async () => {
      fake = await startFakeGitHub({ baseCommit: 'a'.repeat(40) });
      // No checkout is reachable: the job's first GitHub call is held forever instead.
      fake.fault({ method: 'POST', path: /access_tokens$/, hold: 'before' });
      const p = await startServe({
        ...env(fake),
        SALVE_STATE_DIR: stateDir(),
        SALVE_SHUTDOWN_GRACE_MS: '300',
        SALVE_SIGNING_KEY: privateKeyPem(generateEphemeralKey()),
      });
      expect((await post(p.url, 'checkout')).status).toBe(202);
      await fake.held();
      expect(await p.kill('SIGTERM')).toBe(0);
      expect(p.log()).toMatch(/"handedBack":1/);
    },
  );
});
