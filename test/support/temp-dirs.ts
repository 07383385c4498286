/**
 * Temp directories a test helper makes for the test that calls it, removed after the test file by
 * the setup file (test/support/setup.ts), so a helper needs no cleanup from its callers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dirs = new Set<string>();

/** A new directory under the system temp dir, removed once the test file ends. */
export async function testTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export async function removeTestTempDirs(): Promise<void> {
  const all = [...dirs];
  dirs.clear();
  await Promise.all(all.map((dir) => rm(dir, { recursive: true, force: true })));
}
