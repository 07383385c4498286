/** A compact line diff (LCS) printed as a git-style unified diff of one FileChange. */
import type { FileChange } from '../model/index.ts';

/** Above this many table cells the middle is shown as removed then added (bounded memory). */
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; line: string };

/** git's marker under a last line that has no newline; it follows the line as part of it. */
const NO_NEWLINE = '\n\\ No newline at end of file';

/**
 * A text's lines. A last line without its newline carries git's marker, so it differs from the
 * same words with a newline (adding a line after it changes it, as git shows) and prints as git does.
 */
function lines(text: string): string[] {
  if (text === '') return [];
  const out = text.split('\n');
  if (out.at(-1) === '') out.pop();
  else out[out.length - 1] += NO_NEWLINE;
  return out;
}

/** Longest-common-subsequence edit script, trimming the shared head and tail first (config files are small). */
export function diffLines(a: string[], b: string[]): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  if (x.length * y.length > MAX_CELLS) {
    const ops: Op[] = a.slice(0, start).map((line) => ({ kind: ' ', line }));
    ops.push(...x.map((line) => ({ kind: '-' as const, line })), ...y.map((line) => ({ kind: '+' as const, line })));
    return [...ops, ...a.slice(endA).map((line) => ({ kind: ' ' as const, line }))];
  }
  const width = y.length + 1;
  const table = new Uint32Array((x.length + 1) * width);
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      table[i * width + j] =
        x[i] === y[j]
          ? (table[(i + 1) * width + j + 1] as number) + 1
          : Math.max(table[(i + 1) * width + j] as number, table[i * width + j + 1] as number);
    }
  }
  const ops: Op[] = a.slice(0, start).map((line) => ({ kind: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      ops.push({ kind: ' ', line: x[i++] as string });
      j++;
    } else if (
      i < x.length &&
      (j === y.length || (table[(i + 1) * width + j] as number) >= (table[i * width + j + 1] as number))
    ) {
      ops.push({ kind: '-', line: x[i++] as string });
    } else {
      ops.push({ kind: '+', line: y[j++] as string });
    }
  }
  for (const line of a.slice(endA)) ops.push({ kind: ' ', line });
  return ops;
}

/**
 * `--- a/path` / `+++ b/path` and hunks with `context` lines around each change; '' when nothing
 * changed. An added file is `--- /dev/null`, a deleted one `+++ /dev/null`, as git prints them.
 */
export function unifiedDiff(change: FileChange, context = 3): string {
  const ops = diffLines(lines(change.before ?? ''), lines(change.after ?? ''));
  const changed = ops.map((op, k) => (op.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return '';
  const header = [
    `--- ${change.before === null ? '/dev/null' : `a/${change.path}`}`,
    `+++ ${change.after === null ? '/dev/null' : `b/${change.path}`}`,
  ];
  const hunks: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const from = Math.max(0, (changed[k] as number) - context);
    let to = Math.min(ops.length, (changed[k] as number) + context + 1);
    while (k + 1 < changed.length && (changed[k + 1] as number) - context <= to)
      to = Math.min(ops.length, (changed[++k] as number) + context + 1);
    k++;
    const before = ops.slice(0, from);
    const oldStart = before.filter((o) => o.kind !== '+').length;
    const newStart = before.filter((o) => o.kind !== '-').length;
    const body = ops.slice(from, to);
    const oldLen = body.filter((o) => o.kind !== '+').length;
    const newLen = body.filter((o) => o.kind !== '-').length;
    hunks.push(`@@ -${range(oldStart, oldLen)} +${range(newStart, newLen)} @@`, ...body.map((o) => o.kind + o.line));
  }
  return `${[...header, ...hunks].join('\n')}\n`;
}

function range(start: number, length: number): string {
  const first = length === 0 ? start : start + 1;
  return length === 1 ? `${first}` : `${first},${length}`;
}
