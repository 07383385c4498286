/**
 * Comment lines of a kustomization and the top-level key each belongs to, as a reader sees it:
 * - a comment after content on the same line belongs to that line;
 * - a run of full-line comments at column 0 directly above a top-level key (no blank line between)
 *   introduces that key, unless the run holds a commented-out list entry (`# - x`): then, like
 *   every other comment, it belongs to the key whose block it sits in (the last key above it).
 * The corpus checks that an edit keeps every comment, attached to the same key.
 */

export interface AttachedComment {
  /** The comment as written, from `#`. */
  text: string;
  /** `key` (in its block), `>key` (introduces it), `(top)` (above every key), `=content` (inline, on that line). */
  anchor: string;
}

const TOP_KEY = /^([A-Za-z_][\w.-]*|"[^"]*"|'[^']*')\s*:(\s|$)/;
const ENTRY_LIKE = /^\s*#\s*-(\s|$)/;

/** Where a `#` starts a comment on a content line: after whitespace and outside quotes; -1 when none. */
export function inlineCommentAt(line: string): number {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if ((c === '"' || c === "'") && (i === 0 || /[\s:[{,-]/.test(line.charAt(i - 1)))) quote = c;
    else if (c === '#' && i > 0 && /\s/.test(line.charAt(i - 1))) return i;
  }
  return -1;
}

export function attachedComments(text: string): AttachedComment[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const isComment = (l: string) => /^\s*#/.test(l);
  const isBlank = (l: string) => l.trim() === '';
  const out: AttachedComment[] = [];
  let section = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (isBlank(line)) continue;
    if (!isComment(line)) {
      const key = TOP_KEY.exec(line)?.[1];
      if (key) section = key;
      const at = inlineCommentAt(line);
      if (at >= 0) out.push({ text: line.slice(at).trim(), anchor: `=${line.slice(0, at).trim()}` });
      continue;
    }
    // A run of comment lines: i..end-1.
    let end = i;
    while (end < lines.length && isComment(lines[end] as string)) end++;
    const run = lines.slice(i, end);
    const next = lines[end];
    const nextKey = next !== undefined ? TOP_KEY.exec(next)?.[1] : undefined;
    const leads = nextKey !== undefined && run.every((l) => /^#/.test(l)) && !run.some((l) => ENTRY_LIKE.test(l));
    for (const l of run) out.push({ text: l.trim(), anchor: leads ? `>${nextKey}` : section });
    i = end - 1;
  }
  return out;
}

function key(c: AttachedComment): string {
  return `${c.anchor}\u0000${c.text}`;
}

/**
 * Comments of `before` missing from `after` or attached elsewhere there, as messages; a comment
 * `dropped` accepts (by its text, from `#`) may be missing.
 */
export function commentProblems(
  before: string,
  after: string,
  dropped: (text: string) => boolean = () => false,
): string[] {
  const remaining = new Map<string, number>();
  for (const c of attachedComments(after)) remaining.set(key(c), (remaining.get(key(c)) ?? 0) + 1);
  const afterTexts = new Map<string, string[]>();
  for (const c of attachedComments(after)) afterTexts.set(c.text, [...(afterTexts.get(c.text) ?? []), c.anchor]);
  const problems: string[] = [];
  for (const c of attachedComments(before)) {
    const n = remaining.get(key(c)) ?? 0;
    if (n > 0) {
      remaining.set(key(c), n - 1);
      continue;
    }
    if (dropped(c.text)) continue;
    const now = afterTexts.get(c.text);
    problems.push(
      now
        ? `"${c.text}" moved from ${describe(c.anchor)} to ${now.map(describe).join(', ')}`
        : `"${c.text}" (${describe(c.anchor)}) is gone`,
    );
  }
  return problems;
}

function describe(anchor: string): string {
  if (anchor === '(top)') return 'the top of the file';
  if (anchor.startsWith('>')) return `above ${anchor.slice(1)}:`;
  if (anchor.startsWith('=')) return `the line "${anchor.slice(1)}"`;
  return `under ${anchor}:`;
}
