import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { diffLines, unifiedDiff } from './unified-diff.ts';

/** The hunks `git diff --no-index` prints for the same two texts (headers dropped). */
async function gitHunks(before: string, after: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'salve-diff-'));
  try {
    await writeFile(join(dir, 'a'), before);
    await writeFile(join(dir, 'b'), after);
    const out = await promisify(execFile)(
      'git',
      ['diff', '--no-index', '--no-color', '--diff-algorithm=minimal', 'a', 'b'],
      { cwd: dir },
    ).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    return out.stdout.slice(out.stdout.indexOf('@@')).replace(/^(@@ [^@]+ @@).*$/gm, '$1');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const strip = (d: string) => d.slice(d.indexOf('@@'));

describe('explain/unified-diff', () => {
  const base = `${Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n')}\n`;

  it('prints an added file from /dev/null and a deleted one to /dev/null, as git does', async () => {
    const added = unifiedDiff({ path: 'p/new.yaml', before: null, after: 'a: 1\nb: 2\n' });
    expect(added).toBe('--- /dev/null\n+++ b/p/new.yaml\n@@ -0,0 +1,2 @@\n+a: 1\n+b: 2\n');
    const deleted = unifiedDiff({ path: 'p/old.yaml', before: base, after: null });
    expect(deleted.split('\n').slice(0, 3)).toEqual(['--- a/p/old.yaml', '+++ /dev/null', '@@ -1,30 +0,0 @@']);
    expect(strip(deleted)).toBe(strip(await gitHunks(base, '')));
  });

  it('matches git for a single change in the middle', async () => {
    const after = base.replace('line 15\n', 'line fifteen\n');
    expect(strip(unifiedDiff({ path: 'f', before: base, after }))).toBe(await gitHunks(base, after));
  });

  it('matches git for separate and merged hunks, inserts and deletes at the edges', async () => {
    const after = `head\n${base.replace('line 2\n', '').replace('line 9\n', 'nine\n').replace('line 26\n', 'x\ny\n')}tail\n`;
    expect(strip(unifiedDiff({ path: 'f', before: base, after }))).toBe(await gitHunks(base, after));
  });

  it('matches git when a side has no final newline (the last line changes when a line is added after it)', async () => {
    const noEol = base.slice(0, -1);
    for (const [before, after] of [
      [noEol, `${base}added`],
      [noEol, `${base}added\n`],
      [base, noEol],
      [noEol, noEol.replace('line 3\n', 'three\n')],
    ] as const)
      expect(strip(unifiedDiff({ path: 'f', before, after }))).toBe(await gitHunks(before, after));
    expect(unifiedDiff({ path: 'n', before: null, after: 'a: 1' })).toBe(
      '--- /dev/null\n+++ b/n\n@@ -0,0 +1 @@\n+a: 1\n\\ No newline at end of file\n',
    );
  });

  it('prints a new file against /dev/null and nothing for equal texts', () => {
    expect(unifiedDiff({ path: 'p/new.yaml', before: null, after: 'a: 1\nb: 2\n' })).toBe(
      '--- /dev/null\n+++ b/p/new.yaml\n@@ -0,0 +1,2 @@\n+a: 1\n+b: 2\n',
    );
    expect(unifiedDiff({ path: 'f', before: 'same\n', after: 'same\n' })).toBe('');
  });

  it('keeps every line of both sides in order', () => {
    const ops = diffLines(['a', 'b', 'c', 'd'], ['b', 'x', 'd', 'e']);
    expect(ops.filter((o) => o.kind !== '+').map((o) => o.line)).toEqual(['a', 'b', 'c', 'd']);
    expect(ops.filter((o) => o.kind !== '-').map((o) => o.line)).toEqual(['b', 'x', 'd', 'e']);
    expect(ops.filter((o) => o.kind === ' ').map((o) => o.line)).toEqual(['b', 'd']);
  });
});
