/**
 * CODEOWNERS: which reviewers a change needs. GitHub reads the first of `.github/CODEOWNERS`,
 * `CODEOWNERS`, `docs/CODEOWNERS`; for each path the last matching rule wins.
 */
import { statusOf } from './commit.ts';
import type { GitHubContext } from './types.ts';

export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

export interface CodeownersRule {
  pattern: string;
  owners: string[];
  regex: RegExp;
}

export interface Reviewers {
  reviewers: string[];
  teamReviewers: string[];
}

export function parseCodeowners(text: string): CodeownersRule[] {
  const rules: CodeownersRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const [pattern, ...owners] = line.split(/\s+/);
    if (!pattern || pattern.startsWith('!')) continue;
    rules.push({ pattern, owners, regex: globToRegex(pattern) });
  }
  return rules;
}

/** gitignore-style pattern to a regex over repo-relative paths. */
export function globToRegex(pattern: string): RegExp {
  const anchored = pattern.startsWith('/') || pattern.replace(/\/$/, '').includes('/');
  const body = pattern.replace(/^\//, '').replace(/\/$/, '');
  let re = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '*' && body[i + 1] === '*') {
      const slash = body[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // `docs/*` owns the files in docs/, not deeper ones; a name without a wildcard owns its subtree.
  const last = body.slice(body.lastIndexOf('/') + 1);
  const subtree = last.includes('*') && last !== '**' ? '' : '(?:/.*)?';
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${re}${subtree}$`);
}

/** Owners of the changed paths: for each path the last matching rule, all paths together. */
export function reviewersFor(rules: CodeownersRule[], paths: string[], exclude: string[] = []): Reviewers {
  const users = new Set<string>();
  const teams = new Set<string>();
  for (const path of paths) {
    const rule = [...rules].reverse().find((r) => r.regex.test(path));
    for (const owner of rule?.owners ?? []) {
      if (!owner.startsWith('@')) continue;
      const name = owner.slice(1);
      const slash = name.indexOf('/');
      if (slash >= 0) teams.add(name.slice(slash + 1));
      else if (!exclude.includes(name)) users.add(name);
    }
  }
  return { reviewers: [...users].sort(), teamReviewers: [...teams].sort() };
}

/** The CODEOWNERS text at `ref`, or null when the repo has none. */
export async function readCodeowners(ctx: GitHubContext, ref: string): Promise<string | null> {
  for (const path of CODEOWNERS_PATHS) {
    try {
      const res = await ctx.octokit.rest.repos.getContent({ ...ctx.repo, path, ref });
      const data = res.data as { content?: string; encoding?: string };
      if (typeof data.content === 'string') return Buffer.from(data.content, 'base64').toString('utf8');
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }
  return null;
}
