/**
 * Tests clean up after themselves: what helpers write under the temp dir is gone when the test
 * file ends, and Octokit clients built in tests do not print the 404s they are asked to answer.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walkFiles } from '../../engine/repo/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function vitest(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...args],
      { cwd: ROOT, env: { ...process.env, ...env } },
      (err, stdout, stderr) =>
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('test hygiene', () => {
  it('leaves no salve-signal-* directory behind: helper temp dirs go with the test file', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'salve-hygiene-'));
    try {
      const run = await vitest(
        ['--root', ROOT, '--config', 'test/support/__fixtures__/vitest.config.ts', '--reporter', 'dot'],
        { TMPDIR: tmp },
      );
      expect(run.output).toContain('1 passed');
      expect(run.code).toBe(0);
      // vitest and tsx keep their own caches there; nothing salve's helpers made may remain.
      expect((await readdir(tmp)).filter((name) => name.startsWith('salve-'))).toEqual([]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }, 120_000);

  it('every Octokit a test builds gets a logger, so expected 404s do not print as failures', async () => {
    const specs = (await walkFiles(ROOT)).filter(
      (f) => /^(engine|test)\//.test(f) && f.endsWith('.spec.ts') && !f.includes('node_modules'),
    );
    const offenders: string[] = [];
    for (const file of specs) {
      const text = await readFile(join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/new (?:Salve)?Octokit\(\{([\s\S]*?)\n\s*\}\)/g))
        if (!/\blog:/.test(m[1] ?? '')) offenders.push(`${relative(ROOT, join(ROOT, file))}`);
    }
    expect(offenders).toEqual([]);
  });
});
