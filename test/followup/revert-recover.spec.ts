/**
 * salve stopped after recording a harmful outcome on the PR and before opening its revert: the
 * restart's `recover` finds it on GitHub (the outcome comment, no PR from the revert branch, no
 * finding or hold said) and opens the revert once, explained with the evidence the comment kept.
 * A second recover (a rerun, another replica) sees the revert PR and opens nothing. Real config
 * repo, git, kustomize, policy, revert hook and journal; GitHub is nock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { SalveOctokit } from '../../engine/app/github.ts';
import { parseDetailMarker } from '../../engine/followup/detail.ts';
import { memoryOutcomeStore } from '../../engine/followup/outcomes.ts';
import { outcomeRecord, recordOutcome } from '../../engine/followup/record.ts';
import { REVERT_HELD_MARKER } from '../../engine/followup/revert/held.ts';
import { createRevertHook } from '../../engine/followup/revert/hook.ts';
import { PENDING_REVERTS, type PendingRevert, pendingReverts } from '../../engine/followup/revert/pending.ts';
import { revertOwed } from '../../engine/followup/revert/recover.ts';
import { REVERT_WAITING_MARKER } from '../../engine/followup/revert/waiting.ts';
import { createFollowUpRunner } from '../../engine/followup/runner.ts';
import { followUpSettings } from '../../engine/followup/settings.ts';
import type { GitHubContext } from '../../engine/publish/github/types.ts';
import { openEmbeddedStore } from '../../engine/state/embedded.ts';
import type { StateStore } from '../../engine/state/types.ts';
import { silentLogger } from '../../engine/telemetry/logger.ts';
import * as gh from '../app/github-flows.ts';
import { BOT, OWNER, REPO } from '../app/github-replies.ts';
import { type HttpMock, httpMock } from '../app/http-mock.ts';
import { testKeys } from '../pipeline/helpers.ts';
import {
  approvalNote,
  harmfulOutcome,
  jobOf,
  localCheckout,
  type MergedWorld,
  mergedPull,
  mergedRemediation,
  PULL,
} from './revert-world.ts';

const NOW = new Date('2025-06-12T12:00:00Z');
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

let world: MergedWorld | null = null;
let http: HttpMock | null = null;
let dir: string | null = null;
let store: StateStore | null = null;
afterEach(async () => {
  http?.reset();
  http = null;
  await store?.close();
  store = null;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
  await world?.repo.cleanup();
  world = null;
});

const botComment = (id: number, body: string) => ({ id, body, user: { login: BOT, type: 'Bot' } });

/** The revert PR opened through the Git Data API (its files are checked by the revert specs). */
function opens(scope: nock.Scope, seen: { body: string }) {
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
    .post(/\/pulls$/, (b: { head: string; body: string }) => {
      seen.body = b.body;
      return b.head === BRANCH;
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

describe('recover opens the revert a crash left unopened', () => {
  it('finds the harmful outcome on GitHub, opens its revert with the recorded evidence, and only once', async () => {
    world = await mergedRemediation();
    const w = world;
    const job = jobOf(w);
    const outcome = harmfulOutcome();

    // Before the crash: the outcome was recorded on the PR (check run and comment), nothing more.
    http = httpMock();
    let comment = '';
    http.scope
      .post(`${gh.REPO_PATH}/check-runs`, (b: { name: string }) => b.name === 'salve/outcome')
      .reply(201, { id: 1 })
      .post(`${gh.REPO_PATH}/issues/${PULL}/comments`, (b: { body: string }) => {
        comment = b.body;
        return true;
      })
      .reply(201, { id: 2 });
    const record = await recordOutcome(github(), job, outcome);
    http.verify();
    // The comment keeps the whole outcome, hostile text escaped inside the hidden marker.
    expect(parseDetailMarker(comment)).toEqual(outcome);
    expect(comment).not.toMatch(/outcome-detail [^\n]*<img/);

    // The restart.
    dir = await mkdtemp(join(tmpdir(), 'salve-recover-revert-'));
    store = await openEmbeddedStore({ dir, log: silentLogger() });
    const reverts = pendingReverts(await store.delayed<PendingRevert>(PENDING_REVERTS, { now: () => NOW.getTime() }), {
      revert: createRevertHook({
        github: async () => github(),
        tokenFor: async () => 'ghs_test',
        checkout: localCheckout(w.repo.dir),
        signingKey: (await testKeys()).signingKey,
        log: silentLogger(),
      }),
      github: async () => github(),
      now: () => NOW,
      log: silentLogger(),
      onGiveUp: () => {
        throw new Error('nothing is capped here');
      },
    });
    const outcomes = memoryOutcomeStore();
    const runner = createFollowUpRunner({
      follow: {} as never,
      github: async () => github(),
      configOf: async () => ({
        slos: [],
        settings: followUpSettings({
          stabilisationWindow: '10m',
          syncTimeout: '30m',
          preWindow: '30m',
          pollInterval: '30s',
        }),
      }),
      scheduler: () => {
        throw new Error('a PR with an outcome schedules no follow-up');
      },
      outcomes,
      owedRevert: async (ctx, j, r) => void (await reverts.owed(ctx, j, r)),
      log: silentLogger(),
    });
    const listMerged = (scope: nock.Scope) =>
      scope
        .get(`${gh.REPO_PATH}/pulls`)
        .query({ state: 'closed', sort: 'updated', direction: 'desc', per_page: '100' })
        .reply(200, [mergedPull(w)]);
    const comments = (scope: nock.Scope, times: number) =>
      scope
        .get(`${gh.REPO_PATH}/issues/${PULL}/comments`)
        .query(true)
        .times(times)
        .reply(200, [botComment(2, comment)]);

    http = httpMock();
    const seen = { body: '' };
    listMerged(http.scope);
    // The outcome (recover), whether a finding or hold was said (owed), the outcome in full.
    comments(http.scope, 3);
    gh.headLookup(http.scope, BRANCH, []);
    opens(http.scope, seen);
    expect(await runner.recover({ owner: OWNER, repo: REPO })).toBe(0);
    http.verify();
    expect((await outcomes.list(`${OWNER}/${REPO}`)).map((r) => r.kind)).toEqual(['harmful']);
    // Explained with the evidence the comment kept, not a bare record.
    expect(seen.body).toContain('## Why revert');
    expect(seen.body).toContain('AnalysisRun `frontend-7c9d-2`');
    expect(seen.body).toContain('http latency 0.9 breaches its limit 0.5');
    expect(await reverts.pending()).toEqual([]);

    // Recovered again (a rerun, or another replica): the revert branch has its PR; nothing is opened.
    http = httpMock();
    listMerged(http.scope);
    comments(http.scope, 1);
    gh.headLookup(http.scope, BRANCH, [
      {
        number: 58,
        state: 'open',
        head: { ref: BRANCH },
      } as never,
    ]);
    expect(await runner.recover({ owner: OWNER, repo: REPO })).toBe(0);
    http.verify();

    // What salve said on the PR is an answer too: a hold or a finding owes no revert.
    http = httpMock();
    gh.headLookup(http.scope, BRANCH, []);
    http.scope
      .get(`${gh.REPO_PATH}/issues/${PULL}/comments`)
      .query(true)
      .reply(200, [botComment(2, comment), botComment(3, `${REVERT_HELD_MARKER}\n### salve planned a revert`)]);
    expect(await revertOwed(github(), job, outcomeRecord(job, outcome))).toBe(false);
    http.verify();

    // A comment that says the revert still waits for a PR slot is no answer: a restart that lost the
    // waiting job owes the revert. One that says salve gave up waiting is an answer.
    const said = (body: string) => {
      const m = httpMock();
      gh.headLookup(m.scope, BRANCH, []);
      m.scope
        .get(`${gh.REPO_PATH}/issues/${PULL}/comments`)
        .query(true)
        .reply(200, [botComment(2, comment), botComment(3, body)]);
      return m;
    };
    http = said(
      `${REVERT_HELD_MARKER}\n${REVERT_WAITING_MARKER}\n### salve planned a revert: it waits for a free PR slot`,
    );
    expect(await revertOwed(github(), job, outcomeRecord(job, outcome))).toBe(true);
    http.verify();
    http = said(`${REVERT_HELD_MARKER}\n### salve stopped trying to open the revert`);
    expect(await revertOwed(github(), job, outcomeRecord(job, outcome))).toBe(false);
    http.verify();
    expect(record.kind).toBe('harmful');
  });
});
