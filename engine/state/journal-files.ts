/**
 * The files around a journal: the lock of its directory, directory syncs, and zero-filled ranges
 * (the pre-allocated tail, and records taken back).
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalFile } from './journal.ts';
import { StateError } from './types.ts';

/** Takes the directory's lock (a `lock` file holding the owner's pid; a dead owner's is taken over). */
export function takeLock(dir: string): () => void {
  const file = join(dir, 'lock');
  try {
    const owner = Number(readFileSync(file, 'utf8').trim());
    if (owner > 0 && owner !== process.pid && alive(owner)) {
      throw new StateError(`${dir} is in use by process ${owner}: one salve serve per state directory`, {
        code: 'state-locked',
      });
    }
  } catch (err) {
    if (err instanceof StateError) throw err;
  }
  writeFileSync(file, `${process.pid}\n`);
  return () => rm(file, { force: true }).catch(() => {});
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const CHUNK = 1024 * 1024;

/** Whether every byte of `bytes` is zero. */
export function allZero(bytes: Buffer): boolean {
  const zero = Buffer.alloc(Math.min(CHUNK, bytes.length));
  for (let at = 0; at < bytes.length; at += CHUNK) {
    const part = bytes.subarray(at, at + CHUNK);
    if (!part.equals(zero.subarray(0, part.length))) return false;
  }
  return true;
}

/**
 * Writes zeros over `[from, to)` (not synced). Zeros written, not `fallocate`d: written blocks are
 * allocated and initialised, so a later overwrite and `fdatasync` flush data only, where unwritten
 * extents or a growing file would also make the filesystem commit metadata on every sync.
 */
export async function zeroRange(fh: Pick<JournalFile, 'write'>, from: number, to: number): Promise<void> {
  if (to <= from) return;
  const zero = Buffer.alloc(Math.min(CHUNK, to - from));
  for (let at = from; at < to; at += CHUNK) {
    const n = Math.min(CHUNK, to - at);
    const { bytesWritten } = await fh.write(zero, 0, n, at);
    if (bytesWritten !== n) throw new Error(`short write (${bytesWritten} of ${n} bytes)`);
  }
}
