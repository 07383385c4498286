/**
 * A revert the PR caps hold back, through `salve serve`'s own wiring (createServer: the follow-up,
 * its revert hook, the embedded journal, the webhook handler, the metrics). On start, recover finds
 * a harmful outcome on GitHub without its revert; the open-PR cap holds it, and the merged PR says
 * it waits. A salve PR closing (GitHub's signed webhook) wakes it at once, with no time passing on
 * the clock; the cap holds it again on its last try, so salve gives up: the merged PR says so and
 * salve_errors_total{stage="revert"} counts it. Real config repo, git, kustomize, policy and
 * journal; GitHub is nock. salve reads no cluster here (the feed watches none).
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import type nock from 'nock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { groupingPlanner } from '../../engine/app/__fixtures__/requests.ts';
import { loadServeConfig } from '../../engine/app/config.ts';
import { createServer, type SalveServer } from '../../engine/app/server.ts';
import type { ClusterFeed } from '../../engine/cluster/feed.ts';
import { withDetail } from '../../engine/followup/detail.ts';
import { outcomeMarkdown, outcomeMarker, outcomeRecord } from '../../engine/followup/record.ts';
import { REVERT_HELD_MARKER } from '../../engine/followup/revert/held.ts';
import { REVERT_WAITING_MARKER } from '../../engine/followup/revert/waiting.ts';
import * as gh from '../app/github-flows.ts';
import { BOT, OWNER, pull, REPO } from '../app/github-replies.ts';
import { type HttpMock, httpMock } from '../app/http-mock.ts';
import { removeStateDirs, stateDir } from '../app/state-dir.ts';
import { testKeys } from '../pipeline/helpers.ts';
import {
  harmfulOutcome,
  jobOf,
  localCheckout,
  type MergedWorld,
  mergedPull,
  mergedRemediation,
  PULL,
} from './revert-world.ts';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;
const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';
const NOW = new Date('2025-06-12T12:00:00Z');
const BRANCH = `salve/revert-pr-${PULL}`;
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** A feed that watches no cluster: this spec's follow-up reads GitHub only. */
const noClusters: ClusterFeed = {
  clusters: [],
  access: [],
  synced: Promise.resolve(),
  signals: () => [],
  watches: () => false,
  kubeConfig: () => null,
  evidence: async () => [],
  subscribe: () => () => {},
  stop: async () => {},
};

let privateKey: string;
beforeAll(() => {
  privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
});

let world: MergedWorld | null = null;
let server: SalveServer | null = null;
let http: HttpMock | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  removeStateDirs();
  http?.reset();
  http = null;
  await world?.repo.cleanup();
  world = null;
});

/** The App's own calls (the bot's name, the installation and its token), as often as salve makes them. */
function appAuth(scope: nock.Scope) {
  scope.get('/app').reply(200, { id: 12345, slug: 'salve-app', name: 'salve', owner: { login: OWNER } });
  scope
    .get(`/repos/${OWNER}/${REPO}/installation`)
    .reply(200, { id: 99, account: { login: OWNER } })
    .post('/app/installations/99/access_tokens')
    .times(20)
    .optionally()
    .reply(201, {
      token: 'ghs_0123456789abcdefghijABCDEFGHIJ012345',
      expires_at: '2025-06-12T13:00:00Z',
      permissions: {},
      repository_selection: 'selected',
    });
}

/** The merged PR's comments as GitHub keeps them: the outcome salve recorded, then its one revert comment. */
interface Thread {
  outcome: string;
  revert: string;
  writes: Array<'create' | 'update'>;
}
const botComment = (id: number, body: string) => ({ id, body, user: { login: BOT, type: 'Bot' } });
const listed = (t: Thread) => [botComment(2, t.outcome), ...(t.revert ? [botComment(900, t.revert)] : [])];

function listComments(scope: nock.Scope, t: Thread, times = 1) {
  scope
    .get(`${gh.REPO_PATH}/issues/${PULL}/comments`)
    .query(true)
    .times(times)
    .reply(200, () => listed(t));
}

function writeRevertComment(scope: nock.Scope, t: Thread, how: 'create' | 'update') {
  listComments(scope, t);
  const write = (b: { body: string }) => {
    t.revert = b.body;
    t.writes.push(how);
    return true;
  };
  if (how === 'create') scope.post(`${gh.REPO_PATH}/issues/${PULL}/comments`, write).reply(201, { id: 900 });
  else scope.patch(`${gh.REPO_PATH}/issues/comments/900`, write).reply(200, { id: 900 });
}

/** A try of the revert the open-PR cap holds: its branch has no PR, and salve PR `open` is open. */
function capped(scope: nock.Scope, w: MergedWorld, open: number) {
  gh.headLookup(scope, BRANCH, []);
  gh.inventory(scope, [
    pull({
      number: open,
      branch: `salve/other-${open}`,
      state: 'open',
      labels: ['salve'],
      body: w.request.pr.body,
      createdAt: '2025-06-12T08:00:00Z',
    }),
  ]);
}

/** GitHub's `pull_request` closed webhook for salve PR `number` (closed unmerged by a human), signed. */
function closedWebhook(w: MergedWorld, number: number) {
  const closed = examples.find((e) => e.name === 'pull_request')?.examples.find((e) => e.action === 'closed') as {
    pull_request: Record<string, unknown>;
    repository: Record<string, unknown>;
  } & Record<string, unknown>;
  const payload = {
    ...closed,
    number,
    pull_request: {
      ...closed.pull_request,
      number,
      merged: false,
      merged_at: null,
      merge_commit_sha: null,
      user: { ...(closed.pull_request.user as object), login: BOT, type: 'Bot' },
      body: w.request.pr.body,
      labels: [{ id: 1, name: 'salve' }],
    },
    repository: {
      ...closed.repository,
      name: REPO,
      full_name: `${OWNER}/${REPO}`,
      owner: { ...(closed.repository.owner as object), login: OWNER },
    },
  };
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery': `closed-${number}`,
      'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
    },
  };
}

describe('salve serve: a revert the PR caps hold back', () => {
  it('says it waits, is woken by a closing salve PR, and on giving up says so and counts the error', async () => {
    world = await mergedRemediation('limits:\n  openPullRequests: 1\n');
    const w = world;
    const job = jobOf(w);
    const outcome = harmfulOutcome();
    const record = outcomeRecord(job, outcome);
    const thread: Thread = {
      outcome: withDetail(`${outcomeMarkdown(job, outcome)}\n\n${outcomeMarker(record)}`, outcome),
      revert: '',
      writes: [],
    };

    // Start: recover finds the harmful outcome without its revert; the open-PR cap holds the first try.
    http = httpMock();
    appAuth(http.scope);
    http.scope
      .get(`${gh.REPO_PATH}/pulls`)
      .query({ state: 'closed', sort: 'updated', direction: 'desc', per_page: '100' })
      .reply(200, [mergedPull(w)]);
    // The outcome (recover), whether a finding or a hold was said (owed), the outcome in full.
    gh.headLookup(http.scope, BRANCH, []);
    listComments(http.scope, thread, 3);
    capped(http.scope, w, 7);
    writeRevertComment(http.scope, thread, 'create');

    const config = loadServeConfig(['--port', '0', '--host', '127.0.0.1', '--state-dir', stateDir()], {
      SALVE_APP_ID: '12345',
      SALVE_PRIVATE_KEY: privateKey,
      SALVE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SALVE_ALERTMANAGER_TOKEN: 'intake-token-for-tests-0123456789',
    });
    server = createServer(config, {
      planner: groupingPlanner(),
      checkout: localCheckout(w.repo.dir),
      logger: silent,
      clock: { now: () => NOW },
      github: { retries: 0, throttle: false },
      cluster: { feed: noClusters, repo: `${OWNER}/${REPO}` },
      signingKey: (await testKeys()).signingKey,
      // Two tries in all; the second an hour after the first, an hour the fixed clock never reaches.
      revertRetry: { baseMs: 3_600_000, maxMs: 3_600_000, maxTries: 2 },
    });
    const url = await server.listen();
    expect(thread.writes).toEqual(['create']);
    expect(thread.revert.startsWith(`${REVERT_HELD_MARKER}\n${REVERT_WAITING_MARKER}\n`)).toBe(true);
    expect(thread.revert).toContain(
      'but the open-PR cap holds it back: at most 1 salve PR open at once in this repository',
    );
    expect(thread.revert).toContain(
      "salve tries again at 2025-06-12 13:00 UTC (try 2 of 2), and at once when one of salve's PRs in this repository closes.",
    );
    expect(server.metrics.get('salve_errors_total', { stage: 'revert' })).toBe(0);

    // Salve PR #7 closes: its webhook wakes the revert now. Meanwhile #9 opened: the cap holds the
    // last try too, and salve gives up.
    capped(http.scope, w, 9);
    writeRevertComment(http.scope, thread, 'update');
    const hook = closedWebhook(w, 7);
    const sent = await fetch(`${url}/webhooks/github`, { method: 'POST', headers: hook.headers, body: hook.body });
    expect(sent.status).toBe(202);
    await vi.waitFor(() => expect(server?.metrics.get('salve_errors_total', { stage: 'revert' })).toBe(1), {
      timeout: 60_000,
      interval: 50,
    });
    await vi.waitFor(() => expect(thread.writes).toEqual(['create', 'update']), { timeout: 10_000, interval: 20 });
    http.verify();
    expect(server.metrics.get('salve_pull_requests_total', { event: 'closed' })).toBe(1);
    expect(thread.revert.startsWith(`${REVERT_HELD_MARKER}\n### salve stopped trying to open the revert`)).toBe(true);
    expect(thread.revert).toContain(
      'It held every one of its 2 tries, from 2025-06-12 12:00 UTC to 2025-06-12 12:00 UTC. salve does not try again by itself',
    );
    expect(thread.revert).toContain(`git revert --no-edit -m 1 ${w.mergeSha}`);
  });
});
