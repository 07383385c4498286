/**
 * Publishes a remediation to a local repository: one signed commit on the base, on its own branch,
 * pushed to the remote when there is one. Never touches the working tree or the index. The PR a
 * forge would show is written to `<gitdir>/salve/pull-requests/<id>.md` (there is no forge here).
 *
 * Idempotent: a branch that already holds the same remediation (up to the proof's clock) is left as
 * it is; a branch with a commit salve did not make, locally or on the remote, is frozen and never
 * overwritten. The CLI pushes with the user's own git; the App, which has a token and no git
 * config, pushes over smart HTTP with an Authorization header (isomorphic-git).
 */
import fs from 'node:fs';
import git from 'isomorphic-git';
import { InputError, PublishError } from '../model/index.ts';
import type { PublishRequest } from '../model/remediation.ts';
import { writeSignedCommit } from './commit-object.ts';
import { sameRemediation } from './equivalent.ts';
import { gitDirOf } from './git-dir.ts';
import { recordPullRequest } from './observations.ts';
import { foreignCommit } from './ownership.ts';
import { signDetached, unlockKey } from './pgp.ts';
import { systemGit } from './system-git.ts';
import { applyChanges } from './tree.ts';

export interface PublishLocalOptions {
  dir: string;
  author: { name: string; email: string };
  signing: { armoredPrivateKey: string; passphrase?: string };
  /** Remote name; defaults to `origin` when the repo has one. No remote: nothing is pushed. */
  remote?: string;
  /** false: commit the branch locally and push nothing. Default true. */
  push?: boolean;
  /**
   * HTTP headers (an Authorization header) for a push over smart HTTP with isomorphic-git, as the App
   * does. Without them the user's own git pushes. Credentials never go in URLs.
   */
  headers?: Record<string, string>;
  /** Environment for the user's git; default: the one this process was started with. */
  gitEnv?: Record<string, string | undefined>;
  now: Date;
}

export interface PublishLocalResult {
  branch: string;
  /** The branch's commit after this run (salve's, or the one that froze it). */
  commit: string;
  pushed: boolean;
  unchanged: boolean;
  /** Why salve left the branch alone (a commit it did not make, locally or on the remote), or null. */
  frozen: string | null;
}

export async function publishLocal(req: PublishRequest, opts: PublishLocalOptions): Promise<PublishLocalResult> {
  const gitdir = await gitDirOf(opts.dir);
  const ref = `refs/heads/${req.branch}`;
  if (!isBranchName(req.branch)) throw new PublishError(`branch name is not valid: ${req.branch}`);
  const tree = await step('build tree', () => applyChanges(gitdir, req.baseCommit, req.files, { commit: true }));
  const remote = opts.push === false ? null : await pickRemote(gitdir, opts.remote);
  const previous = await resolve(gitdir, ref);
  const result = { branch: req.branch, pushed: false, frozen: null };

  if (previous) {
    const foreign = await foreignCommit(gitdir, previous);
    if (foreign)
      return { ...result, commit: previous, unchanged: true, frozen: `local branch ${req.branch}: ${foreign}` };
  }
  let commit: string;
  let unchanged = false;
  if (previous && (await sameRemediation(gitdir, previous, req, tree))) {
    commit = previous;
    unchanged = true;
  } else {
    commit = await step('commit', () => commitChange(gitdir, req, tree, opts));
    await git.writeRef({ fs, gitdir, ref, value: commit, force: true });
    await recordPullRequest(opts.dir, req.id, req.pr);
  }
  if (!remote) return { ...result, commit, unchanged };
  try {
    const pushed = opts.headers
      ? await pushHttp(gitdir, remote, req, opts.headers, previous !== null)
      : await pushWithGit(gitdir, remote, req, commit, opts, previous === null);
    return { ...result, commit, unchanged, ...pushed };
  } catch (err) {
    throw new PublishError(
      `push to ${remote} failed: ${describe(err)}. The commit stays on the local branch ${req.branch} ` +
        `(${commit.slice(0, 12)}); salve pushes it on the next run, or push it yourself: git push ${remote} ${req.branch}`,
      { cause: err, code: 'push-failed' },
    );
  }
}

async function commitChange(
  gitdir: string,
  req: PublishRequest,
  tree: string,
  opts: PublishLocalOptions,
): Promise<string> {
  const key = await unlockKey(opts.signing);
  const author = { ...opts.author, timestamp: Math.floor(opts.now.getTime() / 1000) };
  return writeSignedCommit(gitdir, { tree, parents: [req.baseCommit], author, message: req.commitMessage }, (payload) =>
    signDetached(key, payload),
  );
}

type Pushed = { pushed: boolean; frozen: string | null };

/**
 * The user's git: the remote branch is created, or replaced only while it still holds salve's own
 * commit (a lease on the tip that was checked); a remote branch with anyone else's commit is frozen.
 * A branch new here and unknown on the remote (the usual case) is pushed in one round trip, under
 * a lease that it still does not exist there.
 */
async function pushWithGit(
  gitdir: string,
  remote: string,
  req: PublishRequest,
  commit: string,
  opts: PublishLocalOptions,
  isNew: boolean,
): Promise<Pushed> {
  const cli = systemGit(opts.dir, opts.gitEnv ? { env: opts.gitEnv } : {});
  const tracking = `refs/remotes/${remote}/${req.branch}`;
  if (isNew && !(await resolve(gitdir, tracking)) && (await cli.pushNew(remote, commit, req.branch)) === 'pushed') {
    await git.writeRef({ fs, gitdir, ref: tracking, value: commit, force: true });
    return { pushed: true, frozen: null };
  }
  const tip = await cli.remoteTip(remote, req.branch);
  if (tip === commit) {
    await git.writeRef({ fs, gitdir, ref: tracking, value: commit, force: true });
    return { pushed: false, frozen: null };
  }
  if (tip) {
    if (!(await hasObject(gitdir, tip))) await cli.fetchBranch(remote, req.branch);
    const foreign = await foreignCommit(gitdir, tip);
    if (foreign) return { pushed: false, frozen: `${remote}/${req.branch}: ${foreign}` };
  }
  await cli.push(remote, commit, req.branch, tip);
  await git.writeRef({ fs, gitdir, ref: tracking, value: commit, force: true });
  return { pushed: true, frozen: null };
}

/** The App's path: smart HTTP with the token in a header; the App checks for human commits on GitHub. */
async function pushHttp(
  gitdir: string,
  remote: string,
  req: PublishRequest,
  headers: Record<string, string>,
  force: boolean,
): Promise<Pushed> {
  await ensureRemoteBase(gitdir, remote, req);
  // Loaded here only: its HTTP client (isomorphic-git's, simple-get) serves no other path.
  const { pushCommit } = await import('./push.ts');
  await pushCommit({ gitdir, remote, branch: req.branch, force, headers });
  return { pushed: true, frozen: null };
}

/**
 * A single-branch clone lacks `refs/remotes/<remote>/HEAD`; without it isomorphic-git sends the whole
 * tree on the first push of a new branch. Points it at the base branch when it is missing.
 */
async function ensureRemoteBase(gitdir: string, remote: string, req: PublishRequest) {
  const tracking = `refs/remotes/${remote}/${req.baseBranch}`;
  if (!(await resolve(gitdir, tracking))) await git.writeRef({ fs, gitdir, ref: tracking, value: req.baseCommit });
  const head = `refs/remotes/${remote}/HEAD`;
  if (!(await resolve(gitdir, head))) await git.writeRef({ fs, gitdir, ref: head, value: tracking, symbolic: true });
}

async function pickRemote(gitdir: string, wanted: string | undefined): Promise<string | null> {
  const remotes = (await git.listRemotes({ fs, gitdir })).map((r) => r.remote);
  if (wanted !== undefined) {
    if (!remotes.includes(wanted))
      throw new InputError(`remote ${wanted} is not configured (have: ${remotes.join(', ') || 'none'})`, {
        code: 'no-such-remote',
      });
    return wanted;
  }
  return remotes.includes('origin') ? 'origin' : null;
}

async function resolve(gitdir: string, ref: string): Promise<string | null> {
  try {
    return await git.resolveRef({ fs, gitdir, ref });
  } catch {
    return null;
  }
}

async function hasObject(gitdir: string, oid: string): Promise<boolean> {
  try {
    await git.readObject({ fs, gitdir, oid, format: 'deflated' });
    return true;
  } catch {
    return false;
  }
}

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof PublishError) throw err;
    throw new PublishError(`${name} failed: ${describe(err)}`, { cause: err });
  }
}

function isBranchName(name: string): boolean {
  return /^[A-Za-z0-9._/-]+$/.test(name) && !/(^[-/.])|\.\.|\/\/|\/\.|\.lock$|[/.]$/.test(name);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
