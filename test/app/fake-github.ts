/**
 * GitHub, simulated over real HTTP on 127.0.0.1 for `salve serve` processes (nock intercepts only
 * in-process). It keeps the state salve reads and writes (refs, commits, pull requests, labels,
 * check runs), replies with payloads shaped as the REST API sends them (./github-replies.ts), and
 * records every write so a test can assert one PR and no half PR. Faults: a rule answers a
 * matching request with a status (500, 502, 403 + Retry-After, 409, 422) a number of times, or
 * holds it — applied or not — without ever answering, so a test can kill the caller mid-step.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OWNER, prCommit, pull, REPO } from './github-replies.ts';

export interface Fault {
  method: string;
  path: RegExp;
  /** How many matching requests it takes (default 1). */
  times?: number;
  reply?: { status: number; body?: unknown; headers?: Record<string, string> };
  /** Never answer: `applied` does the write first (GitHub did it, the caller never heard). */
  hold?: 'applied' | 'before';
  /** Runs when the rule matches (e.g. move the base branch), before the request is handled. */
  run?: () => void;
}

export interface FakePull {
  number: number;
  state: 'open' | 'closed';
  head: string;
  headSha: string;
  base: string;
  title: string;
  body: string;
  labels: string[];
  createdAt: string;
  closedAt: string | null;
}

export interface FakeGitHub {
  url: string;
  refs: Map<string, string>;
  pulls: FakePull[];
  checkRuns: Array<{ headSha: string; conclusion: string; summary: string; name?: string }>;
  /** Comments on pull requests, in order (all by salve's bot: only salve writes here). */
  comments: Array<{ pull: number; body: string }>;
  /** Commits made through the API: their parents. */
  commits: Map<string, { parents: string[] }>;
  /** Every request, `METHOD path` (path decoded, no query), in arrival order. */
  log: string[];
  /** Requests that change something (not GET), as `log`. */
  writes(): string[];
  fault(f: Fault): void;
  /** Resolves when a held request arrives, with `METHOD path` (prefixed by the replica's tag when it has one). */
  held(): Promise<string>;
  /** Moves a branch (a push by someone else). */
  push(branch: string, sha: string): void;
  close(): Promise<void>;
}

const R = `/repos/${OWNER}/${REPO}`;
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};
const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };

export async function startFakeGitHub(opts: { baseBranch?: string; baseCommit: string }): Promise<FakeGitHub> {
  const refs = new Map<string, string>([[opts.baseBranch ?? 'main', opts.baseCommit]]);
  const pulls: FakePull[] = [];
  const checkRuns: FakeGitHub['checkRuns'] = [];
  const comments: FakeGitHub['comments'] = [];
  const commits: FakeGitHub['commits'] = new Map();
  const log: string[] = [];
  const faults: Array<Fault & { left: number }> = [];
  const heldWaiters: Array<(r: string) => void> = [];
  const heldQueue: string[] = [];
  const hanging = new Set<ServerResponse>();
  let objects = 0;
  const sha = (what: string) => createHash('sha1').update(`${what}:${++objects}`).digest('hex');

  function pullJson(p: FakePull) {
    return {
      ...pull({
        number: p.number,
        branch: p.head,
        state: p.state,
        body: p.body,
        headSha: p.headSha,
        labels: p.labels,
        createdAt: p.createdAt,
        closedAt: p.closedAt,
      }),
      title: p.title,
      base: { label: `${OWNER}:${p.base}`, ref: p.base, sha: refs.get(p.base) ?? '' },
    };
  }

  async function handle(method: string, path: string, query: URLSearchParams, body: any, res: ServerResponse) {
    if (method === 'GET' && path === '/app') return json(res, 200, { id: 12345, slug: 'salve-app', name: 'salve' });
    if (method === 'GET' && path === `${R}/installation`) return json(res, 200, { id: 99, account: { login: OWNER } });
    if (method === 'POST' && path === '/app/installations/99/access_tokens') {
      const expires = new Date(Date.now() + 3_600_000).toISOString();
      return json(res, 201, { token: 'ghs_fakeinstallationtoken000000000000', expires_at: expires, permissions: {} });
    }
    if (method === 'GET' && path === `${R}/pulls`) {
      const head = query.get('head');
      const list = head ? pulls.filter((p) => `${OWNER}:${p.head}` === head) : [...pulls].reverse();
      return json(res, 200, list.map(pullJson));
    }
    let m = /^\/repos\/[^/]+\/[^/]+\/git\/refs?\/heads\/(.+)$/.exec(path);
    if (m) {
      const branch = m[1] as string;
      if (method === 'GET') {
        const at = refs.get(branch);
        return at
          ? json(res, 200, { ref: `refs/heads/${branch}`, object: { sha: at, type: 'commit' } })
          : json(res, 404, notFound);
      }
      if (method === 'PATCH') {
        if (!refs.has(branch)) return json(res, 422, { message: 'Reference does not exist' });
        refs.set(branch, body.sha);
        for (const p of pulls) if (p.head === branch && p.state === 'open') p.headSha = body.sha;
        return json(res, 200, { ref: `refs/heads/${branch}`, object: { sha: body.sha } });
      }
      if (method === 'DELETE') {
        refs.delete(branch);
        for (const p of pulls)
          if (p.head === branch && p.state === 'open')
            Object.assign(p, { state: 'closed', closedAt: new Date().toISOString() });
        res.writeHead(204).end();
        return;
      }
    }
    if (method === 'POST' && path === `${R}/git/refs`) {
      const branch = String(body.ref).replace(/^refs\/heads\//, '');
      if (refs.has(branch)) return json(res, 422, { message: 'Reference already exists' });
      refs.set(branch, body.sha);
      return json(res, 201, { ref: body.ref, object: { sha: body.sha } });
    }
    m = /^\/repos\/[^/]+\/[^/]+\/git\/commits\/([0-9a-f]+)$/.exec(path);
    if (method === 'GET' && m) return json(res, 200, { sha: m[1], tree: { sha: `tree-of-${m[1]}` }, parents: [] });
    if (method === 'POST' && path === `${R}/git/blobs`) return json(res, 201, { sha: sha('blob') });
    if (method === 'POST' && path === `${R}/git/trees`) return json(res, 201, { sha: sha('tree') });
    if (method === 'POST' && path === `${R}/git/commits`) {
      const made = sha('commit');
      commits.set(made, { parents: body.parents ?? [] });
      return json(res, 201, { sha: made, verification: { verified: true, reason: 'valid' } });
    }
    if (method === 'POST' && path === `${R}/pulls`) {
      if (pulls.some((p) => p.head === body.head && p.state === 'open')) {
        return json(res, 422, {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${OWNER}:${body.head}.`,
            },
          ],
        });
      }
      const headSha = refs.get(body.head);
      if (!headSha)
        return json(res, 422, { message: 'Validation Failed', errors: [{ field: 'head', code: 'invalid' }] });
      const p: FakePull = {
        number: pulls.length + 1,
        state: 'open',
        head: body.head,
        headSha,
        base: body.base,
        title: body.title,
        body: body.body,
        labels: [],
        createdAt: new Date().toISOString(),
        closedAt: null,
      };
      pulls.push(p);
      return json(res, 201, pullJson(p));
    }
    m = /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)(\/commits|\/requested_reviewers)?$/.exec(path);
    if (m) {
      const p = pulls.find((x) => x.number === Number(m?.[1]));
      if (!p) return json(res, 404, notFound);
      if (m[2] === '/commits') return json(res, 200, [prCommit(p.headSha, 'salve-app[bot]')]);
      if (m[2] === '/requested_reviewers') return json(res, 201, pullJson(p));
      if (method === 'PATCH') {
        if (body.title !== undefined) p.title = body.title;
        if (body.body !== undefined) p.body = body.body;
        if (body.state === 'closed') Object.assign(p, { state: 'closed', closedAt: new Date().toISOString() });
        return json(res, 200, pullJson(p));
      }
      return json(res, 200, pullJson(p));
    }
    m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/(labels|comments)(?:\/(.+))?$/.exec(path);
    if (m) {
      const p = pulls.find((x) => x.number === Number(m?.[1]));
      if (!p) return json(res, 404, notFound);
      if (m[2] === 'comments') {
        const n = p.number;
        if (method === 'POST') {
          comments.push({ pull: n, body: String(body.body ?? '') });
          return json(res, 201, {
            id: comments.length,
            body: body.body,
            user: { login: 'salve-app[bot]', type: 'Bot' },
          });
        }
        const mine = comments.map((c, i) => ({ ...c, id: i + 1 })).filter((c) => c.pull === n);
        return json(
          res,
          200,
          mine.map((c) => ({ id: c.id, body: c.body, user: { login: 'salve-app[bot]', type: 'Bot' } })),
        );
      }
      if (method === 'POST') for (const l of body.labels as string[]) if (!p.labels.includes(l)) p.labels.push(l);
      if (method === 'DELETE') p.labels = p.labels.filter((l) => l !== m?.[3]);
      return json(
        res,
        200,
        p.labels.map((name) => ({ name })),
      );
    }
    if (method === 'GET' && path.startsWith(`${R}/contents/`)) return json(res, 404, notFound);
    if (method === 'POST' && path === `${R}/check-runs`) {
      checkRuns.push({
        headSha: body.head_sha,
        conclusion: body.conclusion,
        summary: body.output?.summary ?? '',
        name: body.name,
      });
      return json(res, 201, { id: checkRuns.length, name: body.name, head_sha: body.head_sha, status: 'completed' });
    }
    m = /^\/repos\/[^/]+\/[^/]+\/branches\/([^/]+)$/.exec(path);
    if (method === 'GET' && m) {
      return json(res, 200, {
        name: m[1],
        commit: { sha: refs.get(m[1] as string) ?? '' },
        protected: false,
        protection: { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
      });
    }
    if (method === 'GET' && /\/rules\/branches\//.test(path)) return json(res, 200, []);
    if (method === 'POST' && path === '/graphql') return json(res, 200, { data: {} });
    return json(res, 404, notFound);
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const method = req.method ?? 'GET';
      // Replicas can be told apart by a path prefix in their API URL (`/r1`, `/r2`, …).
      const tagged = /^\/(r\d+)(\/.*)$/.exec(decodeURIComponent(url.pathname));
      const replica = tagged?.[1] ?? '';
      const path = tagged?.[2] ?? decodeURIComponent(url.pathname);
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? JSON.parse(text) : {};
      const entry = `${method} ${path}`;
      log.push(entry);
      const told = replica ? `${replica} ${entry}` : entry;
      const fault = faults.find((f) => f.left > 0 && f.method === method && f.path.test(path));
      if (fault) {
        fault.left--;
        fault.run?.();
        if (fault.hold) {
          hanging.add(res);
          const tell = () => {
            const w = heldWaiters.shift();
            if (w) w(told);
            else heldQueue.push(told);
          };
          if (fault.hold === 'applied') {
            // Apply the write into a sink response, then never answer the caller.
            const sink = { writeHead: () => sink, end: () => {} } as unknown as ServerResponse;
            void handle(method, path, url.searchParams, body, sink).then(tell);
          } else tell();
          return;
        }
        if (fault.reply)
          return json(res, fault.reply.status, fault.reply.body ?? { message: 'fault' }, fault.reply.headers);
      }
      handle(method, path, url.searchParams, body, res).catch((err: unknown) =>
        json(res, 500, { message: String(err) }),
      );
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refs,
    pulls,
    checkRuns,
    comments,
    commits,
    log,
    writes: () => log.filter((l) => !l.startsWith('GET ')),
    fault: (f) => faults.push({ ...f, left: f.times ?? 1 }),
    held: () => {
      const queued = heldQueue.shift();
      return queued ? Promise.resolve(queued) : new Promise((r) => heldWaiters.push(r));
    },
    push: (branch, at) => {
      refs.set(branch, at);
    },
    close: () =>
      new Promise<void>((r) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
