import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../model/errors.ts';
import { resolveBaseBranch } from './base-branch.ts';

describe('verify/base-branch', () => {
  let dir: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
  const commit = (message: string) => {
    git('commit', '-q', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'salve-base-branch-'));
    git('init', '-q', '-b', 'trunk');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("follows the remote's default branch, and prefers the remote tracking branch over the local one", async () => {
    const old = commit('one');
    const local = commit('two, not pushed');
    git('update-ref', 'refs/remotes/origin/trunk', old);
    git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk');
    git('branch', 'main', local);
    expect(await resolveBaseBranch(dir)).toEqual({ ref: 'origin/trunk', commit: old });
    expect(await resolveBaseBranch(dir, 'trunk')).toEqual({ ref: 'origin/trunk', commit: old });
    expect(await resolveBaseBranch(dir, 'refs/heads/trunk')).toEqual({ ref: 'refs/heads/trunk', commit: local });
    expect(await resolveBaseBranch(dir, old)).toEqual({ ref: old, commit: old });
  });

  it('falls back to main, then master, and never to the checked-out branch', async () => {
    const first = commit('one');
    await expect(resolveBaseBranch(dir)).rejects.toThrow(
      /cannot tell the base branch of .* \(tried origin\/main, main, origin\/master, master\): name it with --base <branch>$/,
    );
    git('branch', 'master', first);
    expect(await resolveBaseBranch(dir)).toEqual({ ref: 'master', commit: first });
    const second = commit('two');
    git('branch', 'main', second);
    expect(await resolveBaseBranch(dir)).toEqual({ ref: 'main', commit: second });
  });

  it('names a base branch that is not there as bad input', async () => {
    commit('one');
    const err = await resolveBaseBranch(dir, 'release').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^base branch release is not in .* \(tried origin\/release, release\)$/);
  });
});
