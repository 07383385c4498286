/**
 * The fault matrix, in process: `salve serve` (embedded store, the real publisher) against GitHub
 * simulated over HTTP, one fault per test. Every case must end with one whole PR per incident,
 * nothing half-made and nothing lost. The kill -9 cases run real processes (serve-crash.spec.ts).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../engine/app/__fixtures__/requests.ts';
import { loadServeConfig } from '../../engine/app/config.ts';
import { createServer, type SalveServer } from '../../engine/app/server.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import { type FakeGitHub, startFakeGitHub } from './fake-github.ts';
import { OWNER, REPO } from './github-replies.ts';
import { removeStateDirs, stateDir } from './state-dir.ts';
import { alertBody, appKey, basePlanner, expectWhole, fakeCheckout, INTAKE_TOKEN, WEBHOOK_SECRET } from './world.ts';

const R = `/repos/${OWNER}/${REPO}`;
const BASE = 'a'.repeat(40);
const branchOf = (deployment: string) => `salve/${fingerprintOf('shop', deployment).slice(0, 12)}-raise-memory-limit`;

let privateKey: string;
let fake: FakeGitHub | null = null;
let server: SalveServer | null = null;
beforeAll(() => {
  privateKey = appKey();
});
afterEach(async () => {
  await server?.close(0);
  server = null;
  await fake?.close();
  fake = null;
  removeStateDirs();
});

async function start() {
  fake = await startFakeGitHub({ baseCommit: BASE });
  const config = loadServeConfig(
    ['--port', '0', '--host', '127.0.0.1', '--state-dir', stateDir(), '--retry-base-ms', '20'],
    {
      SALVE_APP_ID: '12345',
      SALVE_PRIVATE_KEY: privateKey,
      SALVE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SALVE_ALERTMANAGER_TOKEN: INTAKE_TOKEN,
      SALVE_GITHUB_API_URL: fake.url,
    },
  );
  const planner = basePlanner();
  // Octokit's own retries are off: the run itself is retried, which is what a crash needs too.
  server = createServer(config, {
    planner,
    checkout: fakeCheckout(fake),
    logger: silentLogger(),
    github: { retries: 0, throttle: false },
  });
  const url = await server.listen();
  const post = async (deployment: string) => {
    const res = await fetch(`${url}/intake/alertmanager/${OWNER}/${REPO}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INTAKE_TOKEN}`, 'content-type': 'application/json' },
      body: alertBody(deployment),
    });
    expect(res.status).toBe(202);
  };
  return { fake, server, planner, post, url };
}

async function settle(s: SalveServer, url: string) {
  await s.idle();
  const metrics = await (await fetch(`${url}/metrics`)).text();
  expect(metrics).toContain('salve_queue_depth 0');
}

describe('app: the fault matrix (in process)', () => {
  it.each([
    ['500 on the tree', 'POST', /\/git\/trees$/, 500],
    ['502 on the commit', 'POST', /\/git\/commits$/, 502],
    ['500 on the PR', 'POST', /\/pulls$/, 500],
    ['502 on the labels', 'POST', /\/issues\/\d+\/labels$/, 502],
  ])('GitHub %s, then success: one whole PR', async (_name, method, path, status) => {
    const w = await start();
    w.fake.fault({ method, path, reply: { status, body: { message: 'Server Error' } } });
    await w.post('checkout');
    await settle(w.server, w.url);
    expect(
      w.fake.log.filter(
        (l) =>
          l ===
          `${method} ${R}${path.source.includes('labels') ? '/issues/1/labels' : path.source.replace(/\\\//g, '/').replace(/\$$/, '')}`,
      ).length,
    ).toBe(2);
    expectWhole(w.fake, [branchOf('checkout')]);
    expect(w.fake.pulls).toHaveLength(1);
  });

  it('403 secondary rate limit with Retry-After: waits, then retries the same step, in order', async () => {
    const w = await start();
    w.fake.fault({
      method: 'POST',
      path: /\/git\/commits$/,
      reply: {
        status: 403,
        body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
        headers: { 'retry-after': '1' },
      },
    });
    await w.post('checkout');
    await settle(w.server, w.url);
    const commits = w.fake.log.map((l, i) => [l, i] as const).filter(([l]) => l === `POST ${R}/git/commits`);
    expect(commits).toHaveLength(2);
    // Nothing was written to GitHub between the refusal and the retry's own steps (the run waited).
    const between = w.fake
      .writes()
      .slice(
        w.fake.writes().indexOf(`POST ${R}/git/commits`) + 1,
        w.fake.writes().lastIndexOf(`POST ${R}/git/commits`),
      );
    expect(between.every((l) => /\/git\/(blobs|trees)$|access_tokens$/.test(l))).toBe(true);
    expectWhole(w.fake, [branchOf('checkout')]);
  });

  it('409 ref conflict: the run is retried and finishes the branch it left', async () => {
    const w = await start();
    w.fake.fault({
      method: 'POST',
      path: /\/git\/refs$/,
      reply: { status: 409, body: { message: 'Reference update failed' } },
    });
    await w.post('checkout');
    await settle(w.server, w.url);
    expectWhole(w.fake, [branchOf('checkout')]);
    expect(w.fake.pulls).toHaveLength(1);
  });

  it('422 "PR already exists" (another replica opened it meanwhile): that PR is finished, not duplicated or deleted', async () => {
    const w = await start();
    const branch = branchOf('checkout');
    w.fake.fault({
      method: 'POST',
      path: /\/pulls$/,
      run: () => {
        const at = w.fake.refs.get(branch) as string;
        w.fake.pulls.push({
          number: 1,
          state: 'open',
          head: branch,
          headSha: at,
          base: 'main',
          title: 'salve: raise-memory-limit',
          body: '',
          labels: [],
          createdAt: new Date().toISOString(),
          closedAt: null,
        });
      },
      reply: {
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${OWNER}:${branch}.`,
            },
          ],
        },
      },
    });
    await w.post('checkout');
    await settle(w.server, w.url);
    expectWhole(w.fake, [branch]);
    expect(w.fake.pulls).toHaveLength(1);
    expect(w.fake.log).not.toContain(`DELETE ${R}/git/refs/heads/${branch}`);
  });

  it('push race (the base branch moves between tree and ref): planned again on the new base, the PR updated in place', async () => {
    const w = await start();
    const moved = 'b'.repeat(40);
    w.fake.fault({ method: 'POST', path: /\/git\/refs$/, run: () => w.fake.push('main', moved) });
    await w.post('checkout');
    await settle(w.server, w.url);
    const branch = branchOf('checkout');
    expectWhole(w.fake, [branch]);
    expect(w.fake.pulls).toHaveLength(1);
    expect(w.planner.calls).toBe(2);
    const head = w.fake.pulls[0]?.headSha as string;
    expect(w.fake.commits.get(head)?.parents).toEqual([moved]);
  });
});
