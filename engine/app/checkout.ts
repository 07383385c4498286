/**
 * The real Checkout: a shallow, single-branch clone of the config repo's default branch over
 * HTTPS with isomorphic-git. The token travels in an Authorization header, never in the URL.
 * Objects only, no working tree: everything is read from the commit (engine/repo/snapshot.ts), so
 * a committed symbolic link is never recreated on disk, let alone followed.
 */
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { PublishError } from '../model/index.ts';
import type { Checkout, CheckoutResult, RepoRef } from './types.ts';

export function authHeader(token: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}` };
}

export function cloneUrl(template: string, repo: RepoRef): string {
  return template
    .replaceAll('{owner}', encodeURIComponent(repo.owner))
    .replaceAll('{repo}', encodeURIComponent(repo.repo));
}

export function gitCheckout(options: { urlTemplate: string; tmpRoot?: string }): Checkout {
  return {
    async prepare(repo: RepoRef, token: string): Promise<CheckoutResult> {
      const dir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), 'salve-checkout-'));
      const cleanup = () => rm(dir, { recursive: true, force: true });
      const url = cloneUrl(options.urlTemplate, repo);
      try {
        await git.clone({
          fs,
          http,
          dir,
          url,
          depth: 1,
          singleBranch: true,
          noCheckout: true,
          headers: authHeader(token),
        });
        const baseBranch = await git.currentBranch({ fs, dir, fullname: false });
        if (!baseBranch) throw new PublishError(`${repo.owner}/${repo.repo}: clone has no current branch`);
        const baseCommit = await git.resolveRef({ fs, dir, ref: 'HEAD' });
        return { dir, baseCommit, baseBranch, cleanup };
      } catch (err) {
        await cleanup();
        if (err instanceof PublishError) throw err;
        throw new PublishError(`${repo.owner}/${repo.repo}: clone of ${url} failed: ${(err as Error).message}`, {
          cause: err,
          code: 'checkout-failed',
        });
      }
    },
  };
}

/**
 * A shallow clone deepened until `commit` and its first parent are in it (a revert needs both),
 * at most `maxDepth` commits of the branch; past that, the revert is a finding, not a guess.
 */
export async function deepenClone(dir: string, token: string, commit: string, maxDepth = 2000): Promise<void> {
  const has = async (oid: string) => {
    try {
      return await git.readCommit({ fs, dir, oid });
    } catch {
      return null;
    }
  };
  for (let depth = Math.min(50, maxDepth); ; depth = Math.min(depth * 4, maxDepth)) {
    const merge = await has(commit);
    const parent = merge?.commit.parent[0];
    if (parent && (await has(parent))) return;
    await git.fetch({ fs, http, dir, depth, singleBranch: true, tags: false, headers: authHeader(token) });
    if (depth >= maxDepth) return;
  }
}

export function checkoutFor(config: { gitUrl: string }): Checkout {
  return gitCheckout({ urlTemplate: config.gitUrl });
}
