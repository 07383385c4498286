/**
 * The files around a journal: the lock of its directory, directory syncs, and zero-filled ranges
 * (the pre-allocated tail, and records taken back).
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { type FileHandle, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StateError } from './types.ts';

/** The calls the journal makes on its file (tests wrap `journalFile` to fail a sync). */
export interface JournalFile {
  /**
   * Writes at `position`, synchronously: a write into the page cache takes microseconds, less
   * than handing it to the thread pool and back (the sync, which waits on the disk, is handed off).
   */
  writeAt(data: string | Buffer, position: number): void;
  datasync(): Promise<void>;
  truncate(len: number): Promise<void>;
  close(): Promise<void>;
}

export function journalFile(fh: FileHandle): JournalFile {
  return {
    writeAt(data, position) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      const n = writeSync(fh.fd, bytes, 0, bytes.length, position);
      if (n !== bytes.length) throw new Error(`short write (${n} of ${bytes.length} bytes)`);
    },
    datasync: () => fh.datasync(),
    truncate: (len) => fh.truncate(len),
    close: () => fh.close(),
  };
}

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
export function zeroRange(file: Pick<JournalFile, 'writeAt'>, from: number, to: number): void {
  if (to <= from) return;
  const zero = Buffer.alloc(Math.min(CHUNK, to - from));
  for (let at = from; at < to; at += CHUNK) file.writeAt(zero.subarray(0, Math.min(CHUNK, to - at)), at);
}
