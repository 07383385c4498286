/**
 * bin/stale.js: in a source checkout bin/salve rebuilds lib/ when a source is newer than the last
 * build, and otherwise never loads the build script.
 */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const { isStale } = createRequire(import.meta.url)('../../bin/stale.js') as { isStale(root: string): boolean };

let root: string;
const at = (iso: string) => new Date(iso);
async function file(path: string, when: string): Promise<void> {
  await mkdir(join(root, path, '..'), { recursive: true });
  await writeFile(join(root, path), 'x');
  await utimes(join(root, path), at(when), at(when));
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'salve-stale-'));
  await file('engine/cli/main.ts', '2026-01-01T00:00:00Z');
  await file('engine/repo/deep/read.ts', '2026-01-01T00:00:00Z');
  await file('package.json', '2026-01-01T00:00:00Z');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('isStale', () => {
  it('is stale with no build, fresh after one, stale again when any source or input is newer', async () => {
    expect(isStale(root)).toBe(true);
    await file('lib/.built', '2026-01-02T00:00:00Z');
    expect(isStale(root)).toBe(false);
    // A spec or a file of another kind is not a source of the build.
    await file('engine/repo/deep/read.spec.ts', '2026-01-03T00:00:00Z');
    await file('engine/repo/deep/notes.md', '2026-01-03T00:00:00Z');
    expect(isStale(root)).toBe(false);
    await file('engine/repo/deep/read.ts', '2026-01-03T00:00:00Z');
    expect(isStale(root)).toBe(true);
    await file('lib/.built', '2026-01-04T00:00:00Z');
    expect(isStale(root)).toBe(false);
    await file('scripts/pako-zlib.cjs', '2026-01-05T00:00:00Z');
    expect(isStale(root)).toBe(true);
  });
});
