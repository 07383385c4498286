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
import { createRevertHook } from '../../engine/followup/revert/hook.ts';
import {
  PENDING_REVERTS,
  type PendingRevert,
  pendingKey,
  pendingReverts,
} from '../../engine/followup/revert/pending.ts';
import type { GitHubContext } from '../../engine/publish/github/types.ts';
import { openEmbeddedStore } from '../../engine/state/embedded.ts';
import type { StateStore } from '../../engine/state/types.ts';
import { type Logger, silentLogger } from '../../engine/telemetry/logger.ts';
import * as gh from '../app/github-flows.ts';
import { BOT, OWNER, pull, REPO } from '../app/github-replies.ts';
import { type HttpMock, httpMock } from '../app/http-mock.ts';
import { testKeys } from '../pipeline/helpers.ts';
import {
  approvalNote,
  harmfulOutcome,
  jobOf,
  localCheckout,
  type MergedWorld,
  mergedRemediation,
  PULL,
} from './revert-world.ts';

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

/** The cap has freed: the revert PR is opened (its files are checked by the revert specs; here, that it opens). */
function opens(scope: nock.Scope, seen: { head: string }) {
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
    .reply(201, { number: 58, node_id: 'PR_58', html_url: `https://github.com/${OWNER}/${REPO}/pull/58` })
    .get(/\/contents\//)
    .times(3)
    .query(true)
    .reply(404, { message: 'Not Found' })
    .post(/\/issues\/58\/labels$/)
    .reply(200, []);
  approvalNote(scope, { note: '' });
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
    capped(http.scope, w);
    const result = await first.reverts.afterOutcome(job, outcome, outcomeRecord(job, outcome));
    http.verify();
    expect(result).toMatchObject({ kind: 'published', publish: { kind: 'capped', reason: 'open-pull-requests' } });
    expect(await first.reverts.pending()).toEqual([key]);

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
    opens(http.scope, seen);
    expect(await second.reverts.capFreed({ owner: OWNER, repo: REPO })).toBe(1);
    await vi.waitFor(async () => expect(await second.reverts.pending()).toEqual([]), { timeout: 60_000, interval: 50 });
    http.verify();
    expect(seen.head).toBe(BRANCH);
    expect(second.given).toEqual([]);
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
    capped(http.scope, w);
    capped(http.scope, w);
    await reverts.afterOutcome(job, outcome, outcomeRecord(job, outcome));
    await vi.waitFor(() => expect(given).toHaveLength(1), { timeout: 60_000, interval: 50 });
    await vi.waitFor(async () => expect(await reverts.pending()).toEqual([]), { timeout: 10_000, interval: 20 });
    http.verify();
    expect(given[0]).toMatchObject({ attempt: 2, heldBy: 'open-pull-requests cap (1)' });
    expect(given[0]?.job.pull).toBe(PULL);
    expect(errors).toEqual(['revert of a harmful remediation still held back by the PR caps; given up']);
  });
});
