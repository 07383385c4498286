/**
 * Publishes a remediation to a local repository: one signed commit on the base, on its own branch,
 * pushed to the remote when there is one. Never touches the working tree or the index. The PR a
 * forge would show is written to `<gitdir>/salve/pull-requests/<id>.md` (there is no forge here).
 */
import fs from 'node:fs';
import git from 'isomorphic-git';
import { PublishError } from '../model/index.ts';
import type { PublishRequest } from '../model/remediation.ts';
import { writeSignedCommit } from './commit-object.ts';
import { gitDirOf } from './git-dir.ts';
import { recordPullRequest } from './observations.ts';
import { signDetached, unlockKey } from './pgp.ts';
import { pushCommit } from './push.ts';
import { openLedger, type RefLedger } from './ref-ledger.ts';
import { applyChanges } from './tree.ts';

export interface PublishLocalOptions {
  dir: string;
  author: { name: string; email: string };
  signing: { armoredPrivateKey: string; passphrase?: string };
  /** Remote name; defaults to `origin` when the repo has one. No remote: nothing is pushed. */
  remote?: string;
  /** Extra HTTP headers for the push, e.g. Authorization. Credentials never go in URLs. */
  headers?: Record<string, string>;
  now: Date;
}

export interface PublishLocalResult {
  branch: string;
  commit: string;
  pushed: boolean;
  unchanged: boolean;
}

export async function publishLocal(req: PublishRequest, opts: PublishLocalOptions): Promise<PublishLocalResult> {
  const gitdir = await gitDirOf(opts.dir);
  const ref = `refs/heads/${req.branch}`;
  if (!isBranchName(req.branch)) throw new PublishError(`branch name is not valid: ${req.branch}`);
  const base = await step('read base commit', () => git.readCommit({ fs, gitdir, oid: req.baseCommit }));
  const tree = await step('build tree', () => applyChanges(gitdir, base.commit.tree, req.files));
  const remote = await pickRemote(gitdir, opts.remote);
  const previous = await resolve(gitdir, ref);

  if (previous) {
    const { commit } = await git.readCommit({ fs, gitdir, oid: previous });
    if (commit.tree === tree && commit.parent.length === 1 && commit.parent[0] === req.baseCommit) {
      const tracked = remote ? await resolve(gitdir, `refs/remotes/${remote}/${req.branch}`) : null;
      if (!remote || tracked === previous)
        return { branch: req.branch, commit: previous, pushed: false, unchanged: true };
      const ledger = openLedger(gitdir);
      await pushOrRollBack(gitdir, ledger, remote, req, opts, true);
      return { branch: req.branch, commit: previous, pushed: true, unchanged: true };
    }
  }

  const key = await unlockKey(opts.signing);
  const signature = {
    name: opts.author.name,
    email: opts.author.email,
    timestamp: Math.floor(opts.now.getTime() / 1000),
    timezoneOffset: 0,
  };
  const commit = await step('commit', () =>
    writeSignedCommit(
      gitdir,
      { tree, parents: [req.baseCommit], author: signature, message: req.commitMessage },
      (payload) => signDetached(key, payload),
    ),
  );
  const ledger = openLedger(gitdir);
  await ledger.write(ref, commit);
  if (remote) await pushOrRollBack(gitdir, ledger, remote, req, opts, previous !== null);
  await recordPullRequest(opts.dir, req.id, req.pr);
  return { branch: req.branch, commit, pushed: remote !== null, unchanged: false };
}

async function pushOrRollBack(
  gitdir: string,
  ledger: RefLedger,
  remote: string,
  req: PublishRequest,
  opts: PublishLocalOptions,
  force: boolean,
) {
  try {
    await ensureRemoteBase(gitdir, ledger, remote, req);
    await pushCommit({ gitdir, remote, branch: req.branch, force, headers: opts.headers ?? {} });
  } catch (err) {
    await ledger.rollBack();
    throw new PublishError(`push to ${remote} failed: ${describe(err)}`, { cause: err });
  }
}

/**
 * A single-branch clone lacks `refs/remotes/<remote>/HEAD`; without it isomorphic-git sends the whole
 * tree on the first push of a new branch. Points it at the base branch when it is missing.
 */
async function ensureRemoteBase(gitdir: string, ledger: RefLedger, remote: string, req: PublishRequest) {
  const tracking = `refs/remotes/${remote}/${req.baseBranch}`;
  if (!(await resolve(gitdir, tracking))) await ledger.write(tracking, req.baseCommit);
  const head = `refs/remotes/${remote}/HEAD`;
  if (!(await resolve(gitdir, head))) await ledger.write(head, tracking, true);
}

async function pickRemote(gitdir: string, wanted: string | undefined): Promise<string | null> {
  const remotes = (await git.listRemotes({ fs, gitdir })).map((r) => r.remote);
  if (wanted !== undefined) {
    if (!remotes.includes(wanted))
      throw new PublishError(`remote ${wanted} is not configured (have: ${remotes.join(', ') || 'none'})`);
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
