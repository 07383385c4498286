/**
 * Repo-relative glob matching and a file walk. Node 20's `path.matchesGlob` and `fs.glob` are
 * experimental there (they warn on use), so this is a small matcher: `**`, `*`, `?`, `[...]`, `{a,b}`.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const SKIP = new Set(['.git', 'node_modules']);

function escapeChar(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

/** Longer globs, or globs with more wildcards, could make matching backtrack for minutes. */
const MAX_GLOB_LENGTH = 256;
const MAX_WILDCARDS = 8;

/** The glob as a RegExp; throws on a glob too long, too wild, or not a glob (`[z-a]`, `{a,b`). */
export function globToRegExp(pattern: string): RegExp {
  const glob = pattern.replace(/(\*\*\/)+/g, '**/');
  if (glob.length > MAX_GLOB_LENGTH || (glob.match(/\*+/g) ?? []).length > MAX_WILDCARDS) {
    throw new SyntaxError(
      `glob longer than ${MAX_GLOB_LENGTH} characters or with more than ${MAX_WILDCARDS} wildcards`,
    );
  }
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*' && glob.charAt(i + 1) === '*') {
      const slashAfter = glob.charAt(i + 2) === '/';
      const atSegmentStart = i === 0 || glob.charAt(i - 1) === '/';
      if (atSegmentStart && slashAfter) {
        re += '(?:[^/]*/)*';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        re += `[${glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replaceAll('\\', '\\\\')}]`;
        i = close;
      }
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += escapeChar(c);
  }
  if (braces > 0) throw new SyntaxError('unbalanced { in glob');
  return new RegExp(`^${re}$`);
}

/** One matcher for many paths: each glob compiled once. */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  const res = globs.map((glob) => globToRegExp(glob.replace(/^\.\//, '')));
  return (path) => res.some((re) => re.test(path));
}

export function matchesAny(path: string, globs: readonly string[]): boolean {
  return globMatcher(globs)(path);
}

/** Every file under `dir` (repo-relative, forward slashes, sorted), skipping `.git` and `node_modules`. */
export async function walkFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name)) files.push(...(await walkFiles(dir, rel)));
    } else if (entry.isFile()) files.push(rel);
  }
  return files;
}
