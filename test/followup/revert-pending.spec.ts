/**
 * A revert the PR caps hold back is kept on the state store (the embedded journal, as `salve serve`
 * keeps it without Redis), survives a restart, is tried again when one of salve's PRs closes, and
 * after its last try is an error rather than silence. Real config repo, git, kustomize and policy,
 * the real revert hook and delayed jobs; GitHub is nock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SalveOctokit } from '../../engine/app/github.ts';
import { outcomeRecord } from '../../engine/followup/record.ts';
import { REVERT_HELD_MARKER } from '../../engine/followup/revert/held.ts';
import { createRevertHook } from '../../engine/followup/revert/hook.ts';
import {
  PENDING_REVERTS,
  type PendingRevert,
  pendingKey,
  pendingReverts,
} from '../../engine/followup/revert/pending.ts';
import { REVERT_WAITING_MARKER } from '../../engine/followup/revert/waiting.ts';
import type { GitHubContext } from '../../engine/publish/github/types.ts';
import { openEmbeddedStore } from '../../engine/state/embedded.ts';
import type { StateStore } from '../../engine/state/types.ts';
import { type Logger, silentLogger } from '../../engine/telemetry/logger.ts';
import * as gh from '../app/github-flows.ts';
import { BOT, OWNER, pull, REPO } from '../app/github-replies.ts';
import { type HttpMock, httpMock } from '../app/http-mock.ts';
import { testKeys } from '../pipeline/helpers.ts';
import { harmfulOutcome, jobOf, localCheckout, type MergedWorld, mergedRemediation, PULL } from './revert-world.ts';

const NOW = new Date('2025-06-12T11:00:00Z');
const BRANCH = `salve/revert-pr-${PULL}`;

function github(): GitHubContext {
  const octokit = new SalveOctokit({
    auth: 'ghs_test',
    log: { debug() {}, info() {}, warn() {}, error() {} },
    request: { retries: 0 },
    retry: { retries: 0 },
    throttle: { enabled: false },
  });
  return { octokit, repo: { owner: OWNER, repo: REPO }, botLogin: BOT, log: silentLogger(), now: NOW };
}

/** A logger that keeps what was said at error level. */
function recordingLogger(errors: string[]): Logger {
  const log: Logger = {
    ...silentLogger(),
    error: (_o: unknown, msg?: string) => void errors.push(msg ?? ''),
    child: () => log,
  } as Logger;
  return log;
}

let world: MergedWorld | null = null;
let http: HttpMock | null = null;
let dir: string | null = null;
const stores: StateStore[] = [];
afterEach(async () => {
  http?.reset();
  http = null;
  for (const s of stores.splice(0)) await s.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
  await world?.repo.cleanup();
  world = null;
});

async function open() {
  dir ??= await mkdtemp(join(tmpdir(), 'salve-pending-revert-'));
  const store = await openEmbeddedStore({ dir, log: silentLogger() });
  stores.push(store);
  return store;
}

/** One try that the open-PR cap holds: the revert branch has no PR, and one salve PR is open. */
function capped(scope: nock.Scope, w: MergedWorld) {
  gh.headLookup(scope, BRANCH, []);
  gh.inventory(scope, [
    pull({
      number: 7,
      branch: 'salve/other',
      state: 'open',
      labels: ['salve'],
      body: w.request.pr.body,
      createdAt: '2025-06-12T08:00:00Z',
    }),
  ]);
}

/** The merged PR's comments as GitHub keeps them: salve's one revert comment, created, then edited. */
interface Thread {
  body: string;
  writes: Array<'create' | 'update'>;
}

/** salve lists the merged PR's comments and writes its revert comment (`how`: created or edited in place). */
function note(scope: nock.Scope, t: Thread, how: 'create' | 'update') {
  scope
    .get(`${gh.REPO_PATH}/issues/${PULL}/comments`)
    .query(true)
    .reply(200, () => (t.body ? [{ id: 900, body: t.body, user: { login: BOT, type: 'Bot' } }] : []));
  const write = (b: { body: string }) => {
    t.body = b.body;
    t.writes.push(how);
    return true;
  };
  if (how === 'create') scope.post(`${gh.REPO_PATH}/issues/${PULL}/comments`, write).reply(201, { id: 900 });
  else scope.patch(`${gh.REPO_PATH}/issues/comments/900`, write).reply(200, { id: 900 });
}

/** The cap has freed: the revert PR is opened (its files are checked by the revert specs; here, that it opens). */
function opens(scope: nock.Scope, seen: { head: string }, t: Thread, mode: 'approve' | 'automate' = 'approve') {
  gh.headLookup(scope, BRANCH, []);
  gh.inventory(scope, []);
  scope
    .get(/\/git\/ref\/heads%2Fsalve%2Frevert-pr-41$/)
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
    .post(/\/pulls$/, (b: { head: string }) => {
      seen.head = b.head;
      return true;
    })
    .reply(201, { number: 58, node_id: 'PR_58', html_url: `https://github.com/${OWNER}/${REPO}/pull/58` });
  if (mode === 'approve')
    scope
      .get(/\/contents\//)
      .times(3)
      .query(true)
      .reply(404, { message: 'Not Found' });
  else {
    // Policy lets salve merge it: auto-merge is armed, the base branch requiring the policy check.
    gh.requiredChecks(scope, 'main', ['salve/policy']);
    gh.graphqlMutation(scope, 'enablePullRequestAutoMerge', 'PR_58');
  }
  scope.post(/\/issues\/58\/labels$/).reply(200, []);
  // The waiting comment becomes the approval one (the hook's), or the opened one.
  note(scope, t, 'update');
}

async function setup(
  store: StateStore,
  w: MergedWorld,
  opts: { errors?: string[]; maxTries?: number; baseMs?: number },
) {
  const given: PendingRevert[] = [];
  const jobs = await store.delayed<PendingRevert>(PENDING_REVERTS, { now: () => NOW.getTime() });
  const hook = createRevertHook({
    github: async () => github(),
    tokenFor: async () => 'ghs_test',
    checkout: localCheckout(w.repo.dir),
    signingKey: (await testKeys()).signingKey,
    log: silentLogger(),
  });
  const reverts = pendingReverts(jobs, {
    revert: hook,
    github: async () => github(),
    now: () => NOW,
    log: recordingLogger(opts.errors ?? []),
    onGiveUp: (p) => void given.push(p),
    retry: { baseMs: opts.baseMs ?? 600_000, maxMs: 3_600_000, maxTries: opts.maxTries ?? 12 },
  });
  return { reverts, given };
}

describe('a revert held back by the PR caps', () => {
  it('is kept on the journal across a restart, and opened once a salve PR closes', async () => {
    world = await mergedRemediation('limits:\n  openPullRequests: 1\n');
    const w = world;
    const job = jobOf(w);
    const outcome = harmfulOutcome();
    const key = pendingKey(job);

    const first = await setup(await open(), w, {});
    http = httpMock();
    const thread: Thread = { body: '', writes: [] };
    capped(http.scope, w);
    note(http.scope, thread, 'create');
    const result = await first.reverts.afterOutcome(job, outcome, outcomeRecord(job, outcome));
    http.verify();
    expect(result).toMatchObject({ kind: 'published', publish: { kind: 'capped', reason: 'open-pull-requests' } });
    expect(await first.reverts.pending()).toEqual([key]);
    // The merged PR says the revert is planned and waits: which cap, its limit, when salve tries
    // next, that a closing salve PR wakes it, and the commands that open it by hand now.
    const waiting = thread.body;
    expect(waiting.startsWith(`${REVERT_HELD_MARKER}\n${REVERT_WAITING_MARKER}\n`)).toBe(true);
    expect(waiting).toContain('### salve planned a revert: it waits for a free PR slot');
    expect(waiting).toContain('AnalysisRun frontend-7c9d-2 Failed');
    expect(waiting).toContain(`salve planned its revert (\`${BRANCH}\`) and policy allows it (**approve**)`);
    expect(waiting).toContain(
      'but the open-PR cap holds it back: at most 1 salve PR open at once in this repository (`limits.openPullRequests`).',
    );
    // 10 minutes after the first try (the default back-off's first wait), try 2 of the default 12.
    expect(waiting).toContain(
      "salve tries again at 2025-06-12 11:10 UTC (try 2 of 12), and at once when one of salve's PRs in this repository closes.",
    );
    expect(waiting).toContain(
      `git fetch origin main\ngit switch -c revert-pr-${PULL} origin/main\ngit revert --no-edit -m 1 ${w.mergeSha}\ngit push origin revert-pr-${PULL}`,
    );
    expect(waiting).not.toMatch(/(^|[^\\])<img/);

    // A restart: the store is reopened from its journal, the revert still waits (its retry is 10 min away).
    await stores.pop()?.close();
    http = httpMock();
    const second = await setup(await open(), w, {});
    expect(await second.reverts.pending()).toEqual([key]);
    // Nothing was tried on reopening: no request reached GitHub.
    expect(http.calls).toEqual([]);
    http.verify();

    // A salve PR of another repository closing frees nothing here.
    expect(await second.reverts.capFreed({ owner: OWNER, repo: 'other-config' })).toBe(0);

    // One of this repository's closes: the revert is tried at once, and opens.
    http = httpMock();
    const seen = { head: '' };
    opens(http.scope, seen, thread);
    expect(await second.reverts.capFreed({ owner: OWNER, repo: REPO })).toBe(1);
    await vi.waitFor(async () => expect(await second.reverts.pending()).toEqual([]), { timeout: 60_000, interval: 50 });
    await vi.waitFor(() => expect(thread.writes).toEqual(['create', 'update']), { timeout: 10_000, interval: 20 });
    http.verify();
    expect(seen.head).toBe(BRANCH);
    expect(second.given).toEqual([]);
    // The one comment now links the opened revert; it no longer says it waits.
    expect(thread.body).toContain('### salve opened the revert: a human merges it');
    expect(thread.body).toContain(`[#58](https://github.com/${OWNER}/${REPO}/pull/58)`);
    expect(thread.body).not.toContain(REVERT_WAITING_MARKER);
  });

  it('opened on a retry under automate: the waiting comment becomes the one that links it', async () => {
    world = await mergedRemediation('limits:\n  openPullRequests: 1\nfollowUp:\n  revert: automate\n');
    const w = world;
    const job = jobOf(w);
    const outcome = harmfulOutcome();
    const { reverts, given } = await setup(await open(), w, {});
    http = httpMock();
    const thread: Thread = { body: '', writes: [] };
    capped(http.scope, w);
    note(http.scope, thread, 'create');
    await reverts.afterOutcome(job, outcome, outcomeRecord(job, outcome));
    http.verify();
    expect(thread.body).toContain('policy allows it (**automate**)');
    expect(thread.body).toContain(REVERT_WAITING_MARKER);

    http = httpMock();
    const seen = { head: '' };
    opens(http.scope, seen, thread, 'automate');
    expect(await reverts.capFreed({ owner: OWNER, repo: REPO })).toBe(1);
    await vi.waitFor(() => expect(thread.writes).toEqual(['create', 'update']), { timeout: 60_000, interval: 50 });
    await vi.waitFor(async () => expect(await reverts.pending()).toEqual([]), { timeout: 10_000, interval: 20 });
    http.verify();
    expect(seen.head).toBe(BRANCH);
    expect(given).toEqual([]);
    expect(thread.body.startsWith(`${REVERT_HELD_MARKER}\n### salve opened the revert\n`)).toBe(true);
    expect(thread.body).toContain(`salve opened it as [#58](https://github.com/${OWNER}/${REPO}/pull/58) on try 2`);
    expect(thread.body).toContain('Policy decided **automate**');
    expect(thread.body).not.toContain(REVERT_WAITING_MARKER);
  });

  it('is tried with back-off, and after its last try is an error, not silence', async () => {
    world = await mergedRemediation('limits:\n  openPullRequests: 1\n');
    const w = world;
    const job = jobOf(w);
    const outcome = harmfulOutcome();
    const errors: string[] = [];
    // Two tries in all, the second a millisecond after the first.
    const { reverts, given } = await setup(await open(), w, { errors, maxTries: 2, baseMs: 1 });
    http = httpMock();
    const thread: Thread = { body: '', writes: [] };
    capped(http.scope, w);
    note(http.scope, thread, 'create');
    capped(http.scope, w);
    note(http.scope, thread, 'update');
    await reverts.afterOutcome(job, outcome, outcomeRecord(job, outcome));
    expect(thread.body).toContain('(try 2 of 2)');
    await vi.waitFor(() => expect(given).toHaveLength(1), { timeout: 60_000, interval: 50 });
    await vi.waitFor(async () => expect(await reverts.pending()).toEqual([]), { timeout: 10_000, interval: 20 });
    await vi.waitFor(() => expect(thread.writes).toEqual(['create', 'update']), { timeout: 10_000, interval: 20 });
    http.verify();
    // The same comment says salve stopped, why, and how to open the revert by hand.
    expect(thread.body.startsWith(`${REVERT_HELD_MARKER}\n### salve stopped trying to open the revert`)).toBe(true);
    expect(thread.body).not.toContain(REVERT_WAITING_MARKER);
    expect(thread.body).toContain('but the open-PR cap held it back: at most 1 salve PR open at once');
    expect(thread.body).toContain(
      'It held every one of its 2 tries, from 2025-06-12 11:00 UTC to 2025-06-12 11:00 UTC. salve does not try again by itself',
    );
    expect(thread.body).toContain(`git revert --no-edit -m 1 ${w.mergeSha}`);
    expect(given[0]).toMatchObject({ attempt: 2, heldBy: 'open-pull-requests cap (1)' });
    expect(given[0]?.job.pull).toBe(PULL);
    expect(errors).toEqual(['revert of a harmful remediation still held back by the PR caps; given up']);
  });
});
