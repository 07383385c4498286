/**
 * bin/salve runs the CLI's CommonJS build with V8's code cache (bin/code-cache.js): the cache is
 * made on the first call, keyed by the bundle's sha256 and the command, used afterwards, replaced when it is not
 * V8's, bounded in number, and a cache directory that cannot be written costs nothing but the cache.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { salve } from './run.ts';

const LIB = resolve(import.meta.dirname, '../../lib');
const { loadCli } = createRequire(import.meta.url)('../../bin/code-cache.js') as {
  loadCli(
    libDir: string,
    cacheDir: string,
    command: string,
  ): { exports: { run(): string; filename: string }; save(): void } | null;
};
const WRAPPER = '(function (exports, require, module, __filename, __dirname) { ';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'salve-code-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function bundleSha(): Promise<string> {
  const pointer = JSON.parse(await readFile(join(LIB, 'salve-cli.json'), 'utf8')) as { sha256: string };
  return pointer.sha256;
}

async function caches(cacheDir: string): Promise<string[]> {
  return (await readdir(cacheDir)).filter((n) => n.endsWith('.bin')).sort();
}

describe('the CLI code cache', () => {
  it('is written by the first call, named by the bundle digest and the command, and read by the next', async () => {
    const cacheDir = join(dir, 'code');
    const env = { SALVE_CODE_CACHE_DIR: cacheDir };
    const first = await salve(['--version'], { env });
    expect(first.code).toBe(0);
    const written = await caches(cacheDir);
    expect(written).toHaveLength(1);
    expect(written[0]).toContain(`${await bundleSha()}-other-`);
    const file = join(cacheDir, written[0] as string);
    const before = await stat(file);
    expect(before.size).toBeGreaterThan(100_000);

    const second = await salve(['--version'], { env });
    expect(second).toEqual(first);
    // An accepted cache is not rewritten.
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
    expect(await caches(cacheDir)).toEqual(written);

    // Another command keeps its own: the functions it compiles are not the ones --version did.
    expect((await salve(['help'], { env })).code).toBe(0);
    const both = await caches(cacheDir);
    const sha = await bundleSha();
    expect(both).toHaveLength(2);
    expect(both.some((n) => n.includes(`${sha}-help-`))).toBe(true);
  });

  it('replaces a cache V8 rejects, and the command runs the same', async () => {
    const cacheDir = join(dir, 'code');
    const env = { SALVE_CODE_CACHE_DIR: cacheDir };
    const clean = await salve(['--version'], { env });
    const [name] = await caches(cacheDir);
    const file = join(cacheDir, name as string);
    await writeFile(file, Buffer.alloc(4096, 7));
    const after = await salve(['--version'], { env });
    expect(after).toEqual(clean);
    const rewritten = await readFile(file);
    expect(rewritten.equals(Buffer.alloc(4096, 7))).toBe(false);
    expect(rewritten.length).toBeGreaterThan(100_000);
  });

  it('keeps the newest few caches of a directory', async () => {
    const cacheDir = join(dir, 'code');
    await salve(['--version'], { env: { SALVE_CODE_CACHE_DIR: cacheDir } });
    const [ours] = await caches(cacheDir);
    await rm(join(cacheDir, ours as string));
    const old = new Date('2020-01-01T00:00:00Z');
    for (let i = 0; i < 20; i++) {
      const stale = join(cacheDir, `salve-cli-${String(i % 10).repeat(64)}-plan${i}-v8-0-x64.bin`);
      await writeFile(stale, 'stale');
      await utimes(stale, old, old);
    }
    await salve(['--version'], { env: { SALVE_CODE_CACHE_DIR: cacheDir } });
    const left = await caches(cacheDir);
    expect(left).toHaveLength(16);
    expect(left).toContain(ours);
    expect((await readdir(cacheDir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('runs without a cache when its directory cannot be made', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const run = await salve(['plan', '--signal'], { env: { SALVE_CODE_CACHE_DIR: join(blocker, 'code') } });
    const reference = await salve(['plan', '--signal'], { env: { SALVE_CODE_CACHE_DIR: join(dir, 'code') } });
    expect(run.code).toBe(2);
    expect(run).toEqual(reference);
    expect(await readFile(blocker, 'utf8')).toBe('not a directory');
  });

  it('loads a bundle that is ASCII and already wrapped, one from an older build, and one with other text', async () => {
    // The built bundle: ASCII only, so it is read as latin1 into one one-byte string, and wrapped by the build.
    const pointer = JSON.parse(await readFile(join(LIB, 'salve-cli.json'), 'utf8')) as { file: string };
    const built = await readFile(join(LIB, pointer.file));
    expect(built.every((b) => b < 0x80)).toBe(true);
    expect(built.subarray(0, WRAPPER.length).toString('latin1')).toBe(WRAPPER);
    expect(built.toString('latin1')).not.toMatch(/new CompressionStream\(/);

    const body = "module.exports = { run: () => '\u2026 caf\u00e9', filename: __filename };";
    for (const [name, text] of [
      ['wrapped', `${WRAPPER}${body}\n});`],
      ['unwrapped', body],
      ['utf8', body.replace('\\u2026', '\u2026').replace('\\u00e9', '\u00e9')],
    ] as const) {
      const lib = join(dir, name, 'lib');
      await mkdir(lib, { recursive: true });
      const file = `salve-cli-${'ab'.repeat(8)}.cjs`;
      await writeFile(join(lib, file), text, 'utf8');
      await writeFile(join(lib, 'salve-cli.json'), JSON.stringify({ file, sha256: 'cd'.repeat(32) }));
      for (const round of [1, 2]) {
        const cli = loadCli(lib, join(dir, name, 'code'), 'plan');
        expect(cli, `${name} ${round}`).not.toBeNull();
        expect(cli?.exports.run()).toBe('\u2026 caf\u00e9');
        expect(cli?.exports.filename).toBe(join(lib, file));
        cli?.save();
      }
      expect(await caches(join(dir, name, 'code'))).toHaveLength(1);
    }
  });
});
