/**
 * Replies shaped as the GitHub REST API sends them, reduced to the fields salve reads plus the
 * usual envelope (urls, node ids, users). Used as nock replies.
 */
export const OWNER = 'acme';
export const REPO = 'platform-config';
export const BOT = 'salve-app[bot]';

const user = (login: string, type = 'User') => ({
  login,
  id: login.length * 1000,
  type,
  node_id: `U_${login}`,
  html_url: `https://github.com/${login}`,
});

export function pull(o: {
  number: number;
  branch: string;
  state?: 'open' | 'closed';
  body?: string;
  headSha?: string;
  labels?: string[];
  createdAt?: string;
  closedAt?: string | null;
  mergedAt?: string | null;
  autoMerge?: boolean;
  /** Who opened it (default: the App's bot). */
  author?: string;
  /** The base branch's head (default: the fixtures' base commit). */
  baseSha?: string;
}) {
  return {
    url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${o.number}`,
    id: 100000 + o.number,
    node_id: `PR_kw${o.number}`,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${o.number}`,
    number: o.number,
    state: o.state ?? 'open',
    locked: false,
    title: 'salve: raise-memory-limit',
    user: o.author ? user(o.author) : user(BOT, 'Bot'),
    body: o.body ?? '',
    labels: (o.labels ?? []).map((name, i) => ({
      id: i + 1,
      node_id: `LA_${i}`,
      name,
      color: 'ededed',
      default: false,
    })),
    created_at: o.createdAt ?? '2025-03-04T09:00:00Z',
    updated_at: o.createdAt ?? '2025-03-04T09:00:00Z',
    closed_at: o.closedAt ?? null,
    merged_at: o.mergedAt ?? null,
    draft: false,
    head: {
      label: `${OWNER}:${o.branch}`,
      ref: o.branch,
      sha: o.headSha ?? 'c'.repeat(40),
      user: user(OWNER, 'Organization'),
    },
    base: { label: `${OWNER}:main`, ref: 'main', sha: o.baseSha ?? 'a'.repeat(40), user: user(OWNER, 'Organization') },
    auto_merge: o.autoMerge
      ? { enabled_by: user(BOT, 'Bot'), merge_method: 'squash', commit_title: '', commit_message: '' }
      : null,
    author_association: 'NONE',
  };
}

export function prCommit(sha: string, author: string, committer = 'web-flow') {
  return {
    sha,
    node_id: `C_${sha.slice(0, 8)}`,
    commit: {
      author: { name: author, email: `${author}@users.noreply.github.com`, date: '2025-03-04T09:00:00Z' },
      committer: {
        name: committer === 'web-flow' ? 'GitHub' : committer,
        email: 'noreply@github.com',
        date: '2025-03-04T09:00:00Z',
      },
      message: 'salve: raise-memory-limit',
      tree: { sha: 't'.repeat(40), url: '' },
      verification: {
        verified: committer === 'web-flow',
        reason: committer === 'web-flow' ? 'valid' : 'unsigned',
        signature: null,
        payload: null,
      },
    },
    author: user(author, author.endsWith('[bot]') ? 'Bot' : 'User'),
    committer: user(committer),
    parents: [{ sha: 'a'.repeat(40), url: '' }],
  };
}

let counter = 0;
export function sha(prefix: string): string {
  counter++;
  return `${prefix}${counter.toString(16)}`.padEnd(40, '0').slice(0, 40);
}
