import { afterEach, describe, expect, it } from 'vitest';
import * as gh from '../../../test/app/github-flows.ts';
import { BOT, OWNER, prCommit, pull, REPO } from '../../../test/app/github-replies.ts';
import { type HttpMock, httpMock } from '../../../test/app/http-mock.ts';
import { fixturePublish } from '../../app/__fixtures__/requests.ts';
import { type ClientOptions, SalveOctokit } from '../../app/github.ts';
import { freezeOnForeignPush } from './freeze.ts';
import { FROZEN_MARKER, labelsFor, renderBody } from './markers.ts';
import { ensurePullRequest } from './pull-request.ts';
import type { GitHubContext, PublishInput } from './types.ts';

const R = gh.REPO_PATH;
const NOW = new Date('2025-03-04T10:00:00Z');
const LIMITS = { holdPeriodMs: 3_600_000, openPullRequests: 5, pullRequestsPerHour: 2 };
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

function context(opts: Partial<ClientOptions> = {}): GitHubContext {
  const octokit = new SalveOctokit({
    auth: 'ghs_installationtoken0000000000000000',
    // Expected 404s (no branch yet, no CODEOWNERS) are the replies under test, not failures to print.
    log: silent,
    request: { retries: opts.retries ?? 0 },
    retry: { retries: opts.retries ?? 0, retryAfterBaseValue: 1 },
    throttle: {
      enabled: opts.throttle ?? false,
      retryAfterBaseValue: opts.retryAfterBaseValue ?? 1,
      onRateLimit: () => true,
      onSecondaryRateLimit: (_after: number, _o: unknown, _k: unknown, count: number) => count < 2,
    },
  });
  return { octokit, repo: { owner: OWNER, repo: REPO }, botLogin: BOT, log: silent, now: NOW };
}

function input(o: Parameters<typeof fixturePublish>[0] = {}): PublishInput {
  const r = fixturePublish(o);
  return { request: r.request, decision: r.remediation.decision, proofDigest: r.remediation.proofDigest };
}

const CODEOWNERS = '# owners\n* @acme/platform\noverlays/staging/ @alice @acme/sre\n.salve/ @bob\n';

/**
 * Every REST and GraphQL call the publisher makes, with the GitHub App permission that grants it
 * (per GitHub's permission tables): salve asks for contents, pull requests and checks (write) and
 * metadata (read), nothing else.
 */
const GRANTED: Array<[RegExp, string]> = [
  [/^(GET|POST) \/repos\/[^/]+\/[^/]+\/pulls(\?.*)?$/, 'pull_requests'],
  [/^(PATCH) \/repos\/[^/]+\/[^/]+\/pulls\/\d+$/, 'pull_requests'],
  [/^GET \/repos\/[^/]+\/[^/]+\/pulls\/\d+\/commits(\?.*)?$/, 'pull_requests'],
  [/^POST \/repos\/[^/]+\/[^/]+\/pulls\/\d+\/requested_reviewers$/, 'pull_requests'],
  [/^(POST|DELETE) \/repos\/[^/]+\/[^/]+\/issues\/\d+\/labels(\/.*)?$/, 'pull_requests'],
  [/^(GET|POST) \/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments(\?.*)?$/, 'pull_requests'],
  [/^POST \/graphql$/, 'pull_requests'],
  [/^GET \/repos\/[^/]+\/[^/]+\/git\/(ref|commits)\/.+$/, 'contents'],
  [/^POST \/repos\/[^/]+\/[^/]+\/git\/(blobs|trees|commits|refs)$/, 'contents'],
  [/^(PATCH|DELETE) \/repos\/[^/]+\/[^/]+\/git\/refs\/.+$/, 'contents'],
  [/^GET \/repos\/[^/]+\/[^/]+\/contents\/.+$/, 'contents'],
  [/^GET \/repos\/[^/]+\/[^/]+\/branches\/[^/?]+$/, 'contents'],
  [/^GET \/repos\/[^/]+\/[^/]+\/rules\/branches\/[^/?]+(\?.*)?$/, 'metadata'],
  [/^POST \/repos\/[^/]+\/[^/]+\/check-runs$/, 'checks'],
];
const mocks: HttpMock[] = [];
function tracked(): HttpMock {
  const m = httpMock();
  mocks.push(m);
  return m;
}

describe('publish/github/pull-request', () => {
  let mock: HttpMock;
  afterEach(() => mock?.reset());

  it('opens one PR through the Git Data API with labels, CODEOWNERS reviewers and the policy check', async () => {
    mock = tracked();
    const inp = input({ mode: 'approve' });
    const req = inp.request;
    gh.headLookup(mock.scope, req.branch, []);
    gh.inventory(mock.scope, []);
    gh.branchMissing(mock.scope, req.branch);
    const sha = gh.commitFlow(mock.scope, req, 'e'.repeat(40));
    gh.createRef(mock.scope, req.branch, sha);
    gh.createPull(mock.scope, req, 7);
    gh.addLabels(mock.scope, 7, ['salve', 'salve/action:raise-memory-limit', 'salve/mode:approve']);
    gh.codeowners(mock.scope, req.baseCommit, CODEOWNERS);
    gh.requestReviewers(mock.scope, 7, ['alice', 'bob'], ['sre']);
    gh.checkRun(mock.scope, sha, 'success', inp.proofDigest);

    const outcome = await ensurePullRequest(context(), inp, LIMITS);
    expect(outcome).toEqual({
      kind: 'opened',
      number: 7,
      url: `https://github.com/${OWNER}/${REPO}/pull/7`,
      head: sha,
    });
    expect(mock.calls.slice(0, 4)).toEqual([
      `GET ${R}/pulls?head=${OWNER}:${req.branch}&state=all&per_page=100`,
      `GET ${R}/pulls?state=all&sort=created&direction=desc&per_page=100`,
      `GET ${R}/git/ref/heads/${req.branch}`,
      `GET ${R}/git/commits/${req.baseCommit}`,
    ]);
    expect(mock.calls.filter((c) => c.startsWith('POST'))).toEqual([
      ...req.files.map(() => `POST ${R}/git/blobs`),
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `POST ${R}/git/refs`,
      `POST ${R}/check-runs`,
      `POST ${R}/pulls`,
      `POST ${R}/pulls/7/requested_reviewers`,
      `POST ${R}/issues/7/labels`,
    ]);
    mock.verify();
  });

  it('does nothing when the same remediation comes again unchanged', async () => {
    mock = tracked();
    const inp = input();
    gh.headLookup(mock.scope, inp.request.branch, [
      pull({ number: 7, branch: inp.request.branch, body: renderBody(inp.request), labels: labelsFor(inp.request) }),
    ]);
    expect(await ensurePullRequest(context(), inp, LIMITS)).toMatchObject({ kind: 'unchanged', number: 7 });
    expect(mock.calls).toHaveLength(1);
    mock.verify();
  });

  it('updates the PR in place on a recurrence: one new commit on the base, body re-rendered', async () => {
    mock = tracked();
    const first = input({ occurrences: 1 });
    const again = input({ occurrences: 2, lastSeen: '2025-03-04T10:05:00Z' });
    const branch = again.request.branch;
    gh.headLookup(mock.scope, branch, [
      pull({ number: 7, branch, body: renderBody(first.request), labels: labelsFor(first.request) }),
    ]);
    gh.prCommits(mock.scope, 7, [prCommit('c'.repeat(40), BOT)]);
    const sha = gh.commitFlow(mock.scope, again.request, 'f'.repeat(40));
    gh.updateRef(mock.scope, branch, sha);
    gh.updatePull(mock.scope, 7, branch);
    gh.checkRun(mock.scope, sha, 'success', again.proofDigest);
    expect(await ensurePullRequest(context(), again, LIMITS)).toMatchObject({ kind: 'updated', number: 7, head: sha });
    mock.verify();
  });

  it('freezes a branch someone else committed to, and says so only once', async () => {
    const stale = input({ occurrences: 1 });
    const inp = input({ occurrences: 3 });
    const branch = inp.request.branch;
    const open = pull({ number: 9, branch, body: renderBody(stale.request), labels: labelsFor(stale.request) });

    mock = tracked();
    gh.headLookup(mock.scope, branch, [open]);
    gh.prCommits(mock.scope, 9, [prCommit('c'.repeat(40), BOT), prCommit('9'.repeat(40), 'alice', 'alice')]);
    mock.scope.get(`${R}/issues/9/comments`).query({ per_page: '100' }).reply(200, []);
    mock.scope
      .post(`${R}/issues/9/comments`, (b: { body: string }) => b.body.startsWith(FROZEN_MARKER))
      .reply(201, { id: 1, body: FROZEN_MARKER });
    expect(await ensurePullRequest(context(), inp, LIMITS)).toMatchObject({ kind: 'frozen', number: 9 });
    mock.verify();

    mock = tracked();
    gh.headLookup(mock.scope, branch, [open]);
    gh.prCommits(mock.scope, 9, [prCommit('8'.repeat(40), 'alice', 'alice')]);
    mock.scope
      .get(`${R}/issues/9/comments`)
      .query({ per_page: '100' })
      .reply(200, [{ id: 1, body: `${FROZEN_MARKER}\nsalve found…`, user: { login: BOT } }]);
    expect(await ensurePullRequest(context(), inp, LIMITS)).toMatchObject({ kind: 'frozen', number: 9 });
    expect(mock.calls.some((c) => c.startsWith('POST'))).toBe(false);
    mock.verify();
  });

  it('is not silenced by a freeze marker someone else pasted into a comment', async () => {
    const stale = input({ occurrences: 1 });
    const inp = input({ occurrences: 3 });
    const branch = inp.request.branch;
    const open = pull({ number: 11, branch, body: renderBody(stale.request), labels: labelsFor(stale.request) });

    mock = tracked();
    gh.headLookup(mock.scope, branch, [open]);
    gh.prCommits(mock.scope, 11, [prCommit('7'.repeat(40), 'mallory', 'mallory')]);
    mock.scope
      .get(`${R}/issues/11/comments`)
      .query({ per_page: '100' })
      .reply(200, [{ id: 4, body: `${FROZEN_MARKER}\nnothing to see`, user: { login: 'mallory' } }]);
    mock.scope
      .post(`${R}/issues/11/comments`, (b: { body: string }) => b.body.startsWith(FROZEN_MARKER))
      .reply(201, { id: 5, body: FROZEN_MARKER });
    expect(await ensurePullRequest(context(), inp, LIMITS)).toMatchObject({ kind: 'frozen', number: 11 });
    mock.verify();
  });

  function openFlow(m: HttpMock, inp: PublishInput, number: number, commitSha: string, conclusion: string) {
    const req = inp.request;
    gh.headLookup(m.scope, req.branch, []);
    gh.inventory(m.scope, []);
    gh.branchMissing(m.scope, req.branch);
    gh.commitFlow(m.scope, req, commitSha);
    gh.createRef(m.scope, req.branch, commitSha);
    gh.createPull(m.scope, req, number);
    gh.addLabels(m.scope, number, labelsFor(req));
    gh.checkRun(m.scope, commitSha, conclusion, inp.proofDigest);
  }

  it('disarms auto-merge when it freezes a branch, also when the content is unchanged', async () => {
    const armed = input({ mode: 'automate' });
    const branch = armed.request.branch;
    const human = [prCommit('c'.repeat(40), BOT), prCommit('9'.repeat(40), 'alice', 'alice')];

    mock = tracked();
    const stale = input({ mode: 'automate', occurrences: 7 });
    gh.headLookup(mock.scope, branch, [
      pull({ number: 17, branch, body: renderBody(stale.request), labels: labelsFor(stale.request), autoMerge: true }),
    ]);
    gh.prCommits(mock.scope, 17, human);
    mock.scope.get(`${R}/issues/17/comments`).query({ per_page: '100' }).reply(200, []);
    mock.scope
      .post(`${R}/issues/17/comments`, (b: { body: string }) => b.body.startsWith(FROZEN_MARKER))
      .reply(201, { id: 1, body: FROZEN_MARKER });
    gh.graphqlMutation(mock.scope, 'disablePullRequestAutoMerge', 'PR_kw17');
    expect(await ensurePullRequest(context(), armed, LIMITS)).toMatchObject({ kind: 'frozen', number: 17 });
    mock.verify();

    mock = tracked();
    gh.headLookup(mock.scope, branch, [
      pull({ number: 18, branch, body: renderBody(armed.request), labels: labelsFor(armed.request), autoMerge: true }),
    ]);
    gh.prCommits(mock.scope, 18, human);
    mock.scope
      .get(`${R}/issues/18/comments`)
      .query({ per_page: '100' })
      .reply(200, [{ id: 1, body: `${FROZEN_MARKER}\nsalve found…`, user: { login: BOT } }]);
    gh.graphqlMutation(mock.scope, 'disablePullRequestAutoMerge', 'PR_kw18');
    expect(await ensurePullRequest(context(), armed, LIMITS)).toMatchObject({ kind: 'frozen', number: 18 });
    mock.verify();
  });

  it('disarms auto-merge at once when someone else pushes, before salve runs again', async () => {
    const armed = input({ mode: 'automate' });
    const branch = armed.request.branch;
    const pr = pull({
      number: 21,
      branch,
      body: renderBody(armed.request),
      labels: labelsFor(armed.request),
      autoMerge: true,
    });

    mock = tracked();
    expect(await freezeOnForeignPush(context(), pr, BOT)).toBe(false);
    expect(mock.calls).toEqual([]);

    gh.graphqlMutation(mock.scope, 'disablePullRequestAutoMerge', 'PR_kw21');
    mock.scope.get(`${R}/issues/21/comments`).query({ per_page: '100' }).reply(200, []);
    mock.scope
      .post(
        `${R}/issues/21/comments`,
        (b: { body: string }) => b.body.startsWith(FROZEN_MARKER) && b.body.includes('mallory'),
      )
      .reply(201, { id: 2, body: FROZEN_MARKER });
    expect(await freezeOnForeignPush(context(), pr, 'mallory')).toBe(true);
    expect(mock.calls[0]).toBe('POST /graphql');
    mock.verify();
  });

  it('arms auto-merge only in automate, with required checks on the base, and a passing salve check', async () => {
    mock = tracked();
    const auto = input({ mode: 'automate' });
    openFlow(mock, auto, 11, '1'.repeat(40), 'success');
    gh.requiredChecks(mock.scope, 'main', ['ci/kustomize-build']);
    gh.graphqlMutation(mock.scope, 'enablePullRequestAutoMerge', 'PR_kw11');
    await ensurePullRequest(context(), auto, LIMITS);
    expect(mock.calls.slice(-2)).toEqual(['POST /graphql', `POST ${R}/issues/11/labels`]);
    mock.verify();

    mock = tracked();
    openFlow(mock, auto, 19, '9'.repeat(40), 'success');
    gh.requiredChecks(mock.scope, 'main', ['ci/kustomize-build'], 'ruleset');
    gh.graphqlMutation(mock.scope, 'enablePullRequestAutoMerge', 'PR_kw19');
    await ensurePullRequest(context(), auto, LIMITS);
    expect(mock.calls.slice(-2)).toEqual(['POST /graphql', `POST ${R}/issues/19/labels`]);
    mock.verify();

    mock = tracked();
    openFlow(mock, auto, 12, '2'.repeat(40), 'success');
    gh.requiredChecks(mock.scope, 'main', null);
    await ensurePullRequest(context(), auto, LIMITS);
    expect(mock.calls).not.toContain('POST /graphql');
    mock.verify();

    mock = tracked();
    const failed = input({ mode: 'automate', allowed: false });
    openFlow(mock, failed, 13, '3'.repeat(40), 'failure');
    await ensurePullRequest(context(), failed, LIMITS);
    expect(mock.calls.some((c) => c.includes('required_status_checks') || c.includes('graphql'))).toBe(false);
    mock.verify();

    mock = tracked();
    const approve = input({ mode: 'approve' });
    openFlow(mock, approve, 14, '4'.repeat(40), 'success');
    gh.codeowners(mock.scope, approve.request.baseCommit, null);
    await ensurePullRequest(context(), approve, LIMITS);
    expect(mock.calls).not.toContain('POST /graphql');
    mock.verify();
  });

  it('disarms auto-merge when a later evaluation drops from automate to approve', async () => {
    mock = tracked();
    const before = input({ mode: 'automate' });
    const after = input({ mode: 'approve', occurrences: 2 });
    const branch = after.request.branch;
    gh.headLookup(mock.scope, branch, [
      pull({
        number: 15,
        branch,
        body: renderBody(before.request),
        labels: labelsFor(before.request),
        autoMerge: true,
      }),
    ]);
    gh.prCommits(mock.scope, 15, [prCommit('c'.repeat(40), BOT)]);
    const sha = gh.commitFlow(mock.scope, after.request, '5'.repeat(40));
    gh.updateRef(mock.scope, branch, sha);
    gh.updatePull(mock.scope, 15, branch);
    mock.scope.delete(`${R}/issues/15/labels/${encodeURIComponent('salve/mode:automate')}`).reply(200, []);
    gh.addLabels(mock.scope, 15, ['salve/mode:approve']);
    gh.codeowners(mock.scope, after.request.baseCommit, null);
    gh.checkRun(mock.scope, sha, 'success', after.proofDigest);
    gh.graphqlMutation(mock.scope, 'disablePullRequestAutoMerge', 'PR_kw15');
    expect(await ensurePullRequest(context(), after, LIMITS)).toMatchObject({ kind: 'updated' });
    mock.verify();
  });

  it('does not reopen a PR a human closed within the hold period; after it, finishes the old branch', async () => {
    const inp = input();
    const branch = inp.request.branch;
    const closed = pull({ number: 5, branch, state: 'closed', closedAt: '2025-03-04T09:30:00Z' });
    mock = tracked();
    gh.headLookup(mock.scope, branch, [closed]);
    expect(await ensurePullRequest(context(), inp, LIMITS)).toEqual({
      kind: 'held',
      number: 5,
      closedAt: '2025-03-04T09:30:00Z',
    });
    mock.verify();

    mock = tracked();
    gh.headLookup(mock.scope, branch, [closed]);
    gh.inventory(mock.scope, [closed]);
    mock.scope.get(gh.refPath(branch)).reply(200, { ref: `refs/heads/${branch}`, object: { sha: 'c'.repeat(40) } });
    const sha = gh.commitFlow(mock.scope, inp.request, '6'.repeat(40));
    gh.updateRef(mock.scope, branch, sha);
    gh.createPull(mock.scope, inp.request, 16);
    gh.addLabels(mock.scope, 16, labelsFor(inp.request));
    gh.codeowners(mock.scope, inp.request.baseCommit, null);
    gh.checkRun(mock.scope, sha, 'success', inp.proofDigest);
    const later = { ...context(), now: new Date('2025-03-04T10:31:00Z') };
    expect(await ensurePullRequest(later, inp, LIMITS)).toMatchObject({ kind: 'opened', number: 16 });
    mock.verify();
  });

  it("supersedes a workload's open remediation in place: a comment, and a body that names what it replaces", async () => {
    const oom = input({ action: 'raise-memory-limit', occurrences: 2 });
    const rollback = input({ action: 'rollback-image' });
    // One branch per workload: the rollback lands on the memory raise's branch.
    const branch = oom.request.branch;
    const next: PublishInput = { ...rollback, request: { ...rollback.request, branch } };
    mock = httpMock();
    gh.headLookup(mock.scope, branch, [
      pull({ number: 7, branch, body: renderBody(oom.request), labels: labelsFor(oom.request) }),
    ]);
    gh.prCommits(mock.scope, 7, [prCommit('c'.repeat(40), BOT)]);
    let comment = '';
    mock.scope
      .post(`${R}/issues/7/comments`, (b: { body: string }) => {
        comment = b.body;
        return true;
      })
      .reply(201, { id: 1 });
    const sha = gh.commitFlow(mock.scope, next.request, 'a'.repeat(40));
    gh.updateRef(mock.scope, branch, sha);
    let body = '';
    mock.scope
      .patch(`${R}/pulls/7`, (b: { body: string }) => {
        body = b.body;
        return true;
      })
      .reply(200, pull({ number: 7, branch }));
    mock.scope.delete(`${R}/issues/7/labels/salve%2Faction%3Araise-memory-limit`).reply(200, []);
    gh.addLabels(mock.scope, 7, ['salve/action:rollback-image']);
    gh.checkRun(mock.scope, sha, 'success', next.proofDigest);
    expect(await ensurePullRequest(context(), next, LIMITS)).toMatchObject({ kind: 'updated', number: 7, head: sha });
    mock.verify();
    expect(comment).toContain('<!-- salve:superseded -->');
    expect(comment).toContain(`instead of \`${oom.request.id}\` (\`raise-memory-limit\`)`);
    expect(body.split('\n')[0]).toMatch(
      new RegExp(
        `^> \\*\\*Supersedes\\*\\* \`${oom.request.id}\` \\(\`raise-memory-limit\`\\), previously proposed in #7:`,
      ),
    );

    // The same rollback again: the note stays, nothing is written.
    mock = httpMock();
    const carried = {
      ...next.request,
      pr: { ...next.request.pr, body: `${body.split('\n')[0]}\n\n${next.request.pr.body}` },
    };
    gh.headLookup(mock.scope, branch, [
      pull({ number: 7, branch, body: renderBody(carried), labels: labelsFor(carried) }),
    ]);
    expect(await ensurePullRequest(context(), next, LIMITS)).toMatchObject({ kind: 'unchanged', number: 7 });
    mock.verify();
  });

  it('never copies a hand-edited id from the old PR body into the supersede note', async () => {
    const oom = input({ action: 'raise-memory-limit' });
    const rollback = input({ action: 'rollback-image' });
    const branch = oom.request.branch;
    const next: PublishInput = { ...rollback, request: { ...rollback.request, branch } };
    const forged = renderBody(oom.request).replace(
      `"id":"${oom.request.id}"`,
      '"id":"x](https://evil.example/)<img src=x>"',
    );
    mock = httpMock();
    gh.headLookup(mock.scope, branch, [pull({ number: 8, branch, body: forged, labels: labelsFor(oom.request) })]);
    gh.prCommits(mock.scope, 8, [prCommit('c'.repeat(40), BOT)]);
    let comment = '';
    mock.scope
      .post(`${R}/issues/8/comments`, (b: { body: string }) => {
        comment = b.body;
        return true;
      })
      .reply(201, { id: 1 });
    const sha = gh.commitFlow(mock.scope, next.request, 'b'.repeat(40));
    gh.updateRef(mock.scope, branch, sha);
    let body = '';
    mock.scope
      .patch(`${R}/pulls/8`, (b: { body: string }) => {
        body = b.body;
        return true;
      })
      .reply(200, pull({ number: 8, branch }));
    mock.scope.delete(`${R}/issues/8/labels/salve%2Faction%3Araise-memory-limit`).reply(200, []);
    gh.addLabels(mock.scope, 8, ['salve/action:rollback-image']);
    gh.checkRun(mock.scope, sha, 'success', next.proofDigest);
    await ensurePullRequest(context(), next, LIMITS);
    mock.verify();
    expect(comment).toContain('instead of an earlier remediation.');
    expect(`${comment}${body.split('\n')[0]}`).not.toMatch(/evil|<img/);
  });

  it("holds only the action a human closed: another remediation of the workload's branch opens", async () => {
    const oom = input({ action: 'raise-memory-limit' });
    const rollback = input({ action: 'rollback-image' });
    const branch = oom.request.branch;
    const next: PublishInput = { ...rollback, request: { ...rollback.request, branch } };
    const closed = pull({
      number: 5,
      branch,
      state: 'closed',
      closedAt: '2025-03-04T09:30:00Z',
      body: renderBody(oom.request),
    });
    mock = httpMock();
    gh.headLookup(mock.scope, branch, [closed]);
    expect(await ensurePullRequest(context(), oom, LIMITS)).toMatchObject({ kind: 'held', number: 5 });
    mock.verify();

    mock = httpMock();
    gh.headLookup(mock.scope, branch, [closed]);
    gh.inventory(mock.scope, [closed]);
    mock.scope.get(gh.refPath(branch)).reply(200, { ref: `refs/heads/${branch}`, object: { sha: 'c'.repeat(40) } });
    const sha = gh.commitFlow(mock.scope, next.request, '7'.repeat(40));
    gh.updateRef(mock.scope, branch, sha);
    gh.createPull(mock.scope, next.request, 17);
    gh.addLabels(mock.scope, 17, labelsFor(next.request));
    gh.codeowners(mock.scope, next.request.baseCommit, null);
    gh.checkRun(mock.scope, sha, 'success', next.proofDigest);
    expect(await ensurePullRequest(context(), next, LIMITS)).toMatchObject({ kind: 'opened', number: 17 });
    mock.verify();
  });

  it('caps open salve PRs and new PRs per hour', async () => {
    const inp = input({ name: 'cart' });
    const ours = (n: number, o: Partial<Parameters<typeof pull>[0]> = {}) => {
      const req = input({ name: `svc${n}` }).request;
      return pull({ number: n, branch: req.branch, body: renderBody(req), labels: labelsFor(req), ...o });
    };
    const others = [1, 2, 3, 4, 5].map((n) => ours(n, { createdAt: '2025-03-01T00:00:00Z' }));
    mock = tracked();
    gh.headLookup(mock.scope, inp.request.branch, []);
    gh.inventory(mock.scope, [...others, pull({ number: 6, branch: 'human', labels: ['bug'] })]);
    expect(await ensurePullRequest(context(), inp, LIMITS)).toEqual({
      kind: 'capped',
      reason: 'open-pull-requests',
      limit: 5,
    });
    mock.verify();

    mock = tracked();
    const recent = [1, 2].map((n) =>
      ours(n, { state: 'closed', createdAt: '2025-03-04T09:30:00Z', closedAt: '2025-03-04T09:40:00Z' }),
    );
    gh.headLookup(mock.scope, inp.request.branch, []);
    gh.inventory(mock.scope, recent);
    expect(await ensurePullRequest(context(), inp, LIMITS)).toEqual({
      kind: 'capped',
      reason: 'pull-requests-per-hour',
      limit: 2,
    });
    mock.verify();
  });

  it('counts and supersedes only the PRs salve opened: a human PR labelled salve, even with copied metadata, is not one', async () => {
    const inp = input({ action: 'rollback-image' });
    const req = inp.request;
    const squatter = input({ action: 'raise-memory-limit' }).request;
    const humans = [
      ...[1, 2, 3, 4, 5].map((n) => pull({ number: n, branch: `fix-${n}`, labels: ['salve'], author: 'mallory' })),
      pull({ number: 6, branch: 'copy', labels: labelsFor(squatter), body: renderBody(squatter), author: 'mallory' }),
      pull({ number: 7, branch: 'bare', labels: ['salve'], body: 'no metadata here' }),
    ];
    mock = tracked();
    gh.headLookup(mock.scope, req.branch, []);
    gh.inventory(mock.scope, humans);
    gh.branchMissing(mock.scope, req.branch);
    const sha = gh.commitFlow(mock.scope, req, '6'.repeat(40));
    gh.createRef(mock.scope, req.branch, sha);
    gh.createPull(mock.scope, req, 30);
    gh.addLabels(mock.scope, 30, labelsFor(req));
    gh.codeowners(mock.scope, req.baseCommit, null);
    gh.checkRun(mock.scope, sha, 'success', inp.proofDigest);
    expect(await ensurePullRequest(context(), inp, LIMITS)).toMatchObject({ kind: 'opened', number: 30 });
    expect(mock.calls.some((c) => c.includes('/pulls/6') || c.includes('/issues/6/'))).toBe(false);
    mock.verify();
  });

  it('closes the PR a new action supersedes, with a comment linking the new one', async () => {
    const old = input({ action: 'raise-memory-limit' });
    const next = input({ action: 'rollback-image' });
    const oldPull = pull({
      number: 20,
      branch: old.request.branch,
      body: renderBody(old.request),
      labels: labelsFor(old.request),
    });
    mock = tracked();
    gh.headLookup(mock.scope, next.request.branch, []);
    gh.inventory(mock.scope, [oldPull]);
    gh.branchMissing(mock.scope, next.request.branch);
    const sha = gh.commitFlow(mock.scope, next.request, '7'.repeat(40));
    gh.createRef(mock.scope, next.request.branch, sha);
    gh.createPull(mock.scope, next.request, 21);
    gh.addLabels(mock.scope, 21, labelsFor(next.request));
    gh.codeowners(mock.scope, next.request.baseCommit, null);
    gh.checkRun(mock.scope, sha, 'success', next.proofDigest);
    mock.scope
      .post(`${R}/issues/20/comments`, (b: { body: string }) => b.body.includes('Superseded by #21'))
      .reply(201, {});
    mock.scope
      .patch(`${R}/pulls/20`, { state: 'closed' })
      .reply(200, pull({ number: 20, branch: old.request.branch, state: 'closed' }));
    await ensurePullRequest(context(), next, LIMITS);
    expect(mock.calls.slice(-3)).toEqual([
      `POST ${R}/issues/20/comments`,
      `PATCH ${R}/pulls/20`,
      `POST ${R}/issues/21/labels`,
    ]);
    mock.verify();
  });

  it('closes an open PR of the same workload and action left on a per-action branch of an earlier version', async () => {
    const current = input({ action: 'raise-memory-limit', occurrences: 2 });
    const legacy = input({ action: 'raise-memory-limit' });
    const legacyBranch = `salve/${legacy.request.id}`;
    const next: PublishInput = {
      ...current,
      request: { ...current.request, branch: 'salve/deployment-checkout-0123456789' },
    };
    const oldPull = pull({
      number: 30,
      branch: legacyBranch,
      body: renderBody(legacy.request),
      labels: labelsFor(legacy.request),
    });
    mock = httpMock();
    gh.headLookup(mock.scope, next.request.branch, []);
    gh.inventory(mock.scope, [oldPull]);
    gh.branchMissing(mock.scope, next.request.branch);
    const sha = gh.commitFlow(mock.scope, next.request, '8'.repeat(40));
    gh.createRef(mock.scope, next.request.branch, sha);
    gh.createPull(mock.scope, next.request, 31);
    gh.addLabels(mock.scope, 31, labelsFor(next.request));
    gh.codeowners(mock.scope, next.request.baseCommit, null);
    gh.checkRun(mock.scope, sha, 'success', next.proofDigest);
    mock.scope
      .post(
        `${R}/issues/30/comments`,
        (b: { body: string }) =>
          b.body.includes('Superseded by #31') && b.body.includes('one open remediation per workload'),
      )
      .reply(201, {});
    mock.scope
      .patch(`${R}/pulls/30`, { state: 'closed' })
      .reply(200, pull({ number: 30, branch: legacyBranch, state: 'closed' }));
    await ensurePullRequest(context(), next, LIMITS);
    mock.verify();
  });

  it('leaves no half-made PR: a failed PR creation removes the new branch', async () => {
    mock = tracked();
    const inp = input();
    const req = inp.request;
    gh.headLookup(mock.scope, req.branch, []);
    gh.inventory(mock.scope, []);
    gh.branchMissing(mock.scope, req.branch);
    const sha = gh.commitFlow(mock.scope, req, '8'.repeat(40));
    gh.createRef(mock.scope, req.branch, sha);
    gh.checkRun(mock.scope, sha, 'success', inp.proofDigest);
    mock.scope
      .post(`${R}/pulls`)
      .reply(422, { message: 'Validation Failed', errors: [{ message: 'base is invalid' }] });
    mock.scope.delete(gh.refsPath(req.branch)).reply(204);
    await expect(ensurePullRequest(context(), inp, LIMITS)).rejects.toMatchObject({ status: 422 });
    mock.verify();
  });

  it('retries a 502 and then succeeds', async () => {
    mock = tracked();
    const inp = input();
    mock.scope.get(`${R}/pulls`).query(true).reply(502, 'Bad Gateway');
    gh.headLookup(mock.scope, inp.request.branch, [
      pull({ number: 7, branch: inp.request.branch, body: renderBody(inp.request), labels: labelsFor(inp.request) }),
    ]);
    expect(await ensurePullRequest(context({ retries: 2 }), inp, LIMITS)).toMatchObject({ kind: 'unchanged' });
    expect(mock.calls).toHaveLength(2);
    mock.verify();
  });

  it('waits out a secondary rate limit and retries', async () => {
    mock = tracked();
    const inp = input();
    mock.scope
      .get(`${R}/pulls`)
      .query(true)
      .reply(
        403,
        { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
        { 'retry-after': '3' },
      );
    gh.headLookup(mock.scope, inp.request.branch, [
      pull({ number: 7, branch: inp.request.branch, body: renderBody(inp.request), labels: labelsFor(inp.request) }),
    ]);
    // The order says it waited for GitHub's Retry-After and then retried (no clock in the assertion).
    const ctx = context({ throttle: true, retryAfterBaseValue: 1 });
    const order: string[] = [];
    mock.scope.on('request', (req: { method: string; path: string }) => {
      order.push(`${req.method} ${decodeURIComponent(req.path)}`);
    });
    const throttled = new SalveOctokit({
      auth: 'ghs_installationtoken0000000000000000',
      log: silent,
      request: { retries: 0 },
      retry: { retries: 0 },
      throttle: {
        enabled: true,
        retryAfterBaseValue: 1,
        onRateLimit: () => false,
        onSecondaryRateLimit: (after: number, _o: unknown, _k: unknown, count: number) => {
          order.push(`waited retry-after=${after}`);
          return count < 2;
        },
      },
    });
    expect(await ensurePullRequest({ ...ctx, octokit: throttled }, inp, LIMITS)).toMatchObject({ kind: 'unchanged' });
    expect(order).toEqual([
      `GET ${R}/pulls?head=${OWNER}:${inp.request.branch}&state=all&per_page=100`,
      'waited retry-after=3',
      `GET ${R}/pulls?head=${OWNER}:${inp.request.branch}&state=all&per_page=100`,
    ]);
    mock.verify();
  });

  it('calls only endpoints that contents, pull requests, checks (write) and metadata (read) grant', () => {
    const allCalls = mocks.flatMap((m) => m.calls);
    expect(allCalls.length).toBeGreaterThan(50);
    const ungranted = allCalls.filter((c) => !GRANTED.some(([re]) => re.test(c)));
    expect(ungranted).toEqual([]);
    const used = new Set(allCalls.map((c) => GRANTED.find(([re]) => re.test(c))?.[1]));
    expect([...used].sort()).toEqual(['checks', 'contents', 'metadata', 'pull_requests']);
  });
});
