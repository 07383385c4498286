/** nock interceptors for the GitHub calls salve makes, asserting the request bodies that matter. */
import type nock from 'nock';
import type { PublishRequest } from '../../engine/model/remediation.ts';
import { OWNER, pull, REPO } from './github-replies.ts';

const R = `/repos/${OWNER}/${REPO}`;
/** Octokit sends `heads/<branch>` as one encoded path segment. */
export const refPath = (branch: string) => `${R}/git/ref/heads%2F${branch.replaceAll('/', '%2F')}`;
export const refsPath = (branch: string) => `${R}/git/refs/heads%2F${branch.replaceAll('/', '%2F')}`;

export function headLookup(scope: nock.Scope, branch: string, pulls: ReturnType<typeof pull>[]) {
  scope
    .get(`${R}/pulls`)
    .query({ head: `${OWNER}:${branch}`, state: 'all', per_page: '100' })
    .reply(200, pulls);
}

export function inventory(scope: nock.Scope, pulls: ReturnType<typeof pull>[]) {
  scope
    .get(`${R}/pulls`)
    .query({ state: 'all', sort: 'created', direction: 'desc', per_page: '100' })
    .reply(200, pulls);
}

export function branchMissing(scope: nock.Scope, branch: string) {
  scope.get(refPath(branch)).reply(404, { message: 'Not Found', status: '404' });
}

/** Blobs, tree on base_tree, commit with no author/committer/signature. Returns the commit sha. */
export function commitFlow(scope: nock.Scope, req: PublishRequest, commitSha: string): string {
  scope
    .get(`${R}/git/commits/${req.baseCommit}`)
    .reply(200, { sha: req.baseCommit, tree: { sha: 'base-tree-sha' }, parents: [] });
  // A deleted file sends no blob: its tree entry has a null sha, as the Git Data API takes it.
  for (const file of req.files) {
    if (file.after === null) continue;
    scope
      .post(
        `${R}/git/blobs`,
        (b: { content: string; encoding: string }) =>
          b.encoding === 'base64' && Buffer.from(b.content, 'base64').toString('utf8') === file.after,
      )
      .reply(201, { sha: `blob-${file.path}` });
  }
  scope
    .post(
      `${R}/git/trees`,
      (b: { base_tree: string; tree: Array<{ path: string; sha: string | null }> }) =>
        b.base_tree === 'base-tree-sha' &&
        b.tree.length === req.files.length &&
        b.tree.every(
          (t, i) => t.path === req.files[i]?.path && t.sha === (req.files[i]?.after === null ? null : `blob-${t.path}`),
        ),
    )
    .reply(201, { sha: `tree-${commitSha}` });
  scope
    .post(
      `${R}/git/commits`,
      (b: Record<string, unknown>) =>
        b.tree === `tree-${commitSha}` &&
        JSON.stringify(b.parents) === JSON.stringify([req.baseCommit]) &&
        b.message === req.commitMessage &&
        !('author' in b) &&
        !('committer' in b) &&
        !('signature' in b),
    )
    .reply(201, { sha: commitSha, verification: { verified: true, reason: 'valid' } });
  return commitSha;
}

export function createRef(scope: nock.Scope, branch: string, commitSha: string) {
  scope
    .post(`${R}/git/refs`, { ref: `refs/heads/${branch}`, sha: commitSha })
    .reply(201, { ref: `refs/heads/${branch}`, object: { sha: commitSha } });
}

export function updateRef(scope: nock.Scope, branch: string, commitSha: string) {
  scope
    .patch(refsPath(branch), { sha: commitSha, force: true })
    .reply(200, { ref: `refs/heads/${branch}`, object: { sha: commitSha } });
}

export function createPull(scope: nock.Scope, req: PublishRequest, number: number) {
  scope
    .post(
      `${R}/pulls`,
      (b: { head: string; base: string; title: string; body: string }) =>
        b.head === req.branch &&
        b.base === req.baseBranch &&
        b.title === req.pr.title &&
        b.body.includes('<!-- salve:hash '),
    )
    .reply(201, pull({ number, branch: req.branch, baseSha: req.baseCommit }));
}

export function addLabels(scope: nock.Scope, number: number, labels: string[]) {
  scope.post(`${R}/issues/${number}/labels`, { labels }).reply(
    200,
    labels.map((name) => ({ name })),
  );
}

export function codeowners(scope: nock.Scope, ref: string, text: string | null) {
  if (text === null) {
    for (const p of ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'])
      scope
        .get(`${R}/contents/${p.replaceAll('/', '%2F')}`)
        .query({ ref })
        .reply(404, { message: 'Not Found' });
    return;
  }
  scope
    .get(`${R}/contents/.github%2FCODEOWNERS`)
    .query({ ref })
    .reply(200, {
      type: 'file',
      encoding: 'base64',
      path: '.github/CODEOWNERS',
      content: Buffer.from(text).toString('base64'),
    });
}

export function requestReviewers(scope: nock.Scope, number: number, reviewers: string[], teams: string[]) {
  scope
    .post(`${R}/pulls/${number}/requested_reviewers`, { reviewers, team_reviewers: teams })
    .reply(201, pull({ number, branch: 'x' }));
}

export function checkRun(scope: nock.Scope, headSha: string, conclusion: string, digest: string) {
  scope
    .post(
      `${R}/check-runs`,
      (b: { name: string; head_sha: string; conclusion: string; output: { summary: string } }) =>
        b.name === 'salve/policy' &&
        b.head_sha === headSha &&
        b.conclusion === conclusion &&
        b.output.summary.includes(digest),
    )
    .reply(201, { id: 4242, name: 'salve/policy', head_sha: headSha, status: 'completed', conclusion });
}

/**
 * The base branch as GET /branches/{branch} returns it (its protection summary), and, when that
 * requires no check, the branch's ruleset rules. `via` says where the required checks come from.
 */
export function requiredChecks(
  scope: nock.Scope,
  branch: string,
  contexts: string[] | null,
  via: 'protection' | 'ruleset' = 'protection',
) {
  const classic = via === 'protection' ? (contexts ?? []) : [];
  scope.get(`${R}/branches/${branch}`).reply(200, {
    name: branch,
    commit: { sha: 'a'.repeat(40) },
    protected: contexts !== null,
    protection: {
      enabled: contexts !== null,
      required_status_checks: {
        enforcement_level: classic.length > 0 ? 'non_admins' : 'off',
        contexts: classic,
        checks: classic.map((c) => ({ context: c, app_id: null })),
      },
    },
  });
  if (classic.length > 0) return;
  const rules =
    via === 'ruleset' && contexts
      ? [
          {
            type: 'required_status_checks',
            ruleset_source_type: 'Repository',
            ruleset_source: `${OWNER}/${REPO}`,
            ruleset_id: 42,
            parameters: {
              strict_required_status_checks_policy: false,
              required_status_checks: contexts.map((context) => ({ context })),
            },
          },
        ]
      : [];
  scope.get(`${R}/rules/branches/${branch}`).query({ per_page: '100' }).reply(200, rules);
}

export function graphqlMutation(
  scope: nock.Scope,
  mutation: 'enablePullRequestAutoMerge' | 'disablePullRequestAutoMerge',
  nodeId: string,
) {
  scope
    .post(
      '/graphql',
      (b: { query: string; variables: { id: string } }) => b.query.includes(mutation) && b.variables.id === nodeId,
    )
    .reply(200, { data: { [mutation]: { clientMutationId: null } } });
}

export function prCommits(scope: nock.Scope, number: number, commits: unknown[]) {
  scope.get(`${R}/pulls/${number}/commits`).query({ per_page: '100' }).reply(200, commits);
}

export function updatePull(scope: nock.Scope, number: number, branch: string) {
  scope
    .patch(
      `${R}/pulls/${number}`,
      (b: { body?: string }) => typeof b.body === 'string' && b.body.includes('<!-- salve:hash '),
    )
    .reply(200, pull({ number, branch }));
}

export { R as REPO_PATH };
