/**
 * An append-only journal of JSON records with a periodic snapshot, for the embedded store.
 *
 * - Each record is one line: a checksum (16 hex of sha256), a space, the JSON. Appends made in the
 *   same tick share one write and one fdatasync (group commit); `append` resolves after the sync.
 * - A crash can tear only the last line: on open it is dropped (the file is cut back to the last
 *   whole record). A bad line followed by good ones is corruption: opening refuses, naming the byte.
 * - Compaction writes the whole state to `snapshot.jsonl.tmp`, syncs it, renames it over
 *   `snapshot.jsonl`, syncs the directory and empties the journal. Records carry a sequence number;
 *   replay skips those the snapshot already holds, so a crash between the two steps is harmless.
 *   Records must be idempotent (set and delete, never increment).
 * - One process per directory: a `lock` file holds the owner's pid; a dead owner's lock is taken over.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { type FileHandle, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StateError } from './types.ts';

export type JournalRecord = { t: string } & Record<string, unknown>;

export interface JournalOptions {
  /** Journal size (bytes) past which the next sync compacts (default 8 MiB). */
  compactBytes?: number;
}

const sum = (json: string) => createHash('sha256').update(json).digest('hex').slice(0, 16);
const line = (rec: object) => {
  const json = JSON.stringify(rec);
  return `${sum(json)} ${json}\n`;
};

/**
 * Parses journal text: the good records, and where the good part ends. The text after the last
 * newline is a torn write (never acknowledged: `append` resolves only after a whole line is synced).
 */
export function parseJournal(text: string, file: string): { records: JournalRecord[]; validBytes: number } {
  const records: JournalRecord[] = [];
  const lines = text.split('\n');
  lines.pop();
  let offset = 0;
  let bad: number | null = null;
  for (const raw of lines) {
    const json = raw.slice(17);
    const ok = raw[16] === ' ' && sum(json) === raw.slice(0, 16);
    if (!ok) bad ??= offset;
    else if (bad !== null) throw new StateError(`${file}: corrupt record at byte ${bad} followed by good ones`);
    else records.push(JSON.parse(json) as JournalRecord);
    offset += Buffer.byteLength(raw) + 1;
  }
  return { records, validBytes: bad ?? offset };
}

function takeLock(dir: string): () => void {
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

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class Journal {
  private seq = 0;
  private bytes = 0;
  private queue: Array<{ text: string; done: () => void; fail: (e: unknown) => void }> = [];
  private flushing: Promise<void> | null = null;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly fh: FileHandle,
    private readonly unlock: () => void,
    private readonly dump: () => JournalRecord[],
    private readonly compactBytes: number,
  ) {}

  /**
   * Opens (or creates) the journal in `dir`, replaying the snapshot and the journal through
   * `apply`; `dump` gives the whole state as records when compacting.
   */
  static async open(
    dir: string,
    apply: (rec: JournalRecord) => void,
    dump: () => JournalRecord[],
    opts: JournalOptions = {},
  ): Promise<Journal> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const unlock = takeLock(dir);
    try {
      let seq = 0;
      const snap = await readFile(join(dir, 'snapshot.jsonl'), 'utf8').catch(() => null);
      if (snap !== null) {
        const { records } = parseJournal(snap, join(dir, 'snapshot.jsonl'));
        const end = records.at(-1);
        if (end?.t !== 'end') throw new StateError(`${dir}/snapshot.jsonl: incomplete snapshot`);
        seq = Number(end.s);
        for (const r of records.slice(0, -1)) apply(r);
      }
      const file = join(dir, 'journal.jsonl');
      const text = await readFile(file, 'utf8').catch(() => '');
      const { records, validBytes } = parseJournal(text, file);
      for (const r of records) {
        if (Number(r.s) <= seq) continue;
        apply(r);
        seq = Number(r.s);
      }
      const fh = await open(file, 'a+');
      if (validBytes < Buffer.byteLength(text)) {
        await fh.truncate(validBytes);
        await fh.datasync();
      }
      const j = new Journal(dir, fh, unlock, dump, opts.compactBytes ?? 8 * 1024 * 1024);
      j.seq = seq;
      j.bytes = (await stat(file)).size;
      return j;
    } catch (err) {
      unlock();
      throw err;
    }
  }

  /** Appends records; resolves once they are on disk. */
  append(records: readonly Omit<JournalRecord, 's'>[]): Promise<void> {
    if (this.closed) return Promise.reject(new StateError('journal is closed'));
    if (records.length === 0) return Promise.resolve();
    const text = records.map((r) => line({ ...r, s: ++this.seq })).join('');
    return new Promise((done, fail) => {
      this.queue.push({ text, done, fail });
      this.kick();
    });
  }

  /** Starts the flush loop unless it runs; records queued as it ends start it again. */
  private kick(): void {
    if (this.flushing) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async flush(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        const text = batch.map((b) => b.text).join('');
        await this.fh.appendFile(text);
        await this.fh.datasync();
        this.bytes += Buffer.byteLength(text);
        if (this.bytes > this.compactBytes) await this.compact();
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch)
          b.fail(new StateError(`journal write failed: ${(err as Error).message}`, { cause: err }));
      }
    }
  }

  /** Writes the whole state as a snapshot and empties the journal. */
  async compact(): Promise<void> {
    const tmp = join(this.dir, 'snapshot.jsonl.tmp');
    const body = [...this.dump(), { t: 'end', s: this.seq }].map(line).join('');
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, 'snapshot.jsonl'));
    syncDir(this.dir);
    await this.fh.truncate(0);
    await this.fh.datasync();
    this.bytes = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    await this.fh.close();
    this.unlock();
  }
}
