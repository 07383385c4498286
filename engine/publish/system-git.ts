/**
 * The user's own `git`, for pushing from the CLI: whatever remote git can push to (a path, ssh,
 * https), with the user's credential helpers, ssh keys and config. The child inherits the
 * environment the CLI was started with, unless the caller passes one.
 */
import { execFile } from 'node:child_process';
import { PublishError } from '../model/errors.ts';

export interface SystemGit {
  /** The remote's tip of `refs/heads/<branch>`, or null when the remote has no such branch. */
  remoteTip(remote: string, branch: string): Promise<string | null>;
  /** Fetches one branch into `refs/remotes/<remote>/<branch>`. */
  fetchBranch(remote: string, branch: string): Promise<void>;
  /**
   * Pushes `commit` to `refs/heads/<branch>` only if the remote still holds `expected` there
   * (null: only if the branch does not exist): a branch that moved meanwhile is never overwritten.
   */
  push(remote: string, commit: string, branch: string, expected: string | null): Promise<void>;
  /**
   * Pushes `commit` to `refs/heads/<branch>` only if the remote has no such branch: 'exists' (and
   * nothing pushed) when it has one. One round trip where `remoteTip` then `push` take two.
   */
  pushNew(remote: string, commit: string, branch: string): Promise<'pushed' | 'exists'>;
}

const TIMEOUT_MS = 10 * 60_000;

/** The lines of git's stderr a person needs: what the remote said and why it refused. */
function gitSays(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(To |hint:|Everything up-to-date)/.test(l));
  return lines.slice(0, 6).join('; ') || 'no message';
}

/** Runs in `dir` (the checkout), where git resolves a relative remote path as the user's own git would. */
export function systemGit(dir: string, options: { env?: Record<string, string | undefined> } = {}): SystemGit {
  /** `refused(stdout)`: a failure that is an answer, not an error (its stdout is returned). */
  const run = (args: string[], refused: (stdout: string) => boolean = () => false): Promise<string> =>
    new Promise((done, fail) => {
      execFile(
        'git',
        args,
        { cwd: dir, timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, ...(options.env ? { env: options.env } : {}) },
        (err, stdout, stderr) => {
          if (!err || (!err.killed && refused(stdout))) return done(stdout);
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') {
            fail(new PublishError('git is not on PATH: salve pushes with your git (install it, or use --no-push)'));
            return;
          }
          const why = err.killed ? `timed out after ${TIMEOUT_MS / 60_000} min` : gitSays(stderr);
          fail(new PublishError(`git ${args[0]} failed: ${why}`, { cause: err, code: 'git-failed' }));
        },
      );
    });
  return {
    async remoteTip(remote, branch) {
      const out = await run(['ls-remote', '--heads', remote, `refs/heads/${branch}`]);
      const line = out.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
      return line ? (line.split('\t')[0] ?? null) : null;
    },
    async fetchBranch(remote, branch) {
      await run(['fetch', '--no-tags', '--quiet', remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`]);
    },
    async push(remote, commit, branch, expected) {
      const ref = `refs/heads/${branch}`;
      await run([
        'push',
        '--quiet',
        '--porcelain',
        `--force-with-lease=${ref}:${expected ?? ''}`,
        remote,
        `${commit}:${ref}`,
      ]);
    },
    async pushNew(remote, commit, branch) {
      const ref = `refs/heads/${branch}`;
      // `--porcelain` reports a lease the remote's branch broke as `!<TAB><src>:<ref><TAB>[rejected] (stale info)`.
      const stale = (out: string) =>
        out.split('\n').some((l) => l.startsWith('!\t') && l.includes(`:${ref}\t`) && l.includes('(stale info)'));
      const out = await run(
        ['push', '--quiet', '--porcelain', `--force-with-lease=${ref}:`, remote, `${commit}:${ref}`],
        stale,
      );
      return stale(out) ? 'exists' : 'pushed';
    },
  };
}
