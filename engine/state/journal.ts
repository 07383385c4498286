/**
 * An append-only journal of JSON records with a periodic snapshot, for the embedded store.
 *
 * - Records are CRC-32 framed lines (journal-format.ts).
 * - Group commit: appends wait in one pending batch; one write and one fdatasync cover the batch,
 *   and every append in it resolves after that sync. The next batch is written as soon as the
 *   previous write returned (appends made meanwhile), at most `maxBatchBytes` at a time: no timer,
 *   so an idle journal adds no latency, and a busy one pays one sync for many appends.
 * - Pre-allocation (`allocateBytes`): zeros are written ahead of the records, that many bytes at a
 *   time, and batches are written at their offset over them, so a sync flushes data only (an
 *   appending file makes the filesystem commit its size with every sync; here it does once per
 *   step). The first NUL ends the records on replay; everything past the last synced record is kept
 *   zero (on open, after a failed batch, after compaction), so no stale frame is ever read back.
 *   Compaction starts over at byte 0: the file stays at its size.
 * - A failed write or sync fails every append of its batch (none is acknowledged); the bytes past
 *   the last synced one are zeroed again and synced before the next batch. When even that fails,
 *   the journal refuses every later append (its file's state is unknown) until it is opened again.
 * - A crash can tear only what was not synced: on open it is dropped (zeroed back to the last
 *   whole record). A bad line followed by good ones is corruption: opening refuses, naming the byte.
 * - Compaction writes the whole state to `snapshot.jsonl.tmp`, syncs it, renames it over
 *   `snapshot.jsonl`, syncs the directory and empties the journal. Records carry a sequence number;
 *   replay skips those the snapshot already holds, so a crash between the two steps is harmless.
 *   Records must be idempotent (set and delete, never increment).
 * - One process per directory: a `lock` file holds the owner's pid; a dead owner's lock is taken over.
 */
import { constants } from 'node:fs';
import { type FileHandle, mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { allZero, type JournalFile, journalFile, syncDir, takeLock, zeroRange } from './journal-files.ts';
import { frame, frameJson, type JournalRecord, parseJournal } from './journal-format.ts';
import { StateError } from './types.ts';

export { type JournalFile, journalFile } from './journal-files.ts';
export type { JournalRecord } from './journal-format.ts';
export { parseJournal } from './journal-format.ts';

export interface JournalOptions {
  /** Journal size (bytes) past which the next sync compacts (default 8 MiB). */
  compactBytes?: number;
  /** Bytes written by one write and one sync at most (default 1 MiB; a larger record goes alone). */
  maxBatchBytes?: number;
  /** Batches whose sync may run at once (default 2): the next batch need not wait out the last sync. */
  maxSyncs?: number;
  /** Bytes of zeros written ahead of the records at a time (default 0: none, the file grows as written). */
  allocateBytes?: number;
  /** Wraps the opened file (fault injection in tests). */
  file?: (fh: FileHandle) => JournalFile;
  /** Told when a compaction failed (it is tried again after the next sync). */
  onCompactError?: (err: unknown) => void;
}

/** Counters of the journal's work since it was opened. */
export interface JournalStats {
  records: number;
  batches: number;
  syncs: number;
  failedBatches: number;
}

/**
 * Opens the journal file for writes at offsets, with nothing past its last whole record: cut off,
 * or zeroed (and `step` bytes of zeros past the records at least) when pre-allocated; synced.
 * Returns the handle and the file's size.
 */
async function openFile(dir: string, file: string, bytes: Buffer, validBytes: number, step: number) {
  const fh = await open(file, constants.O_RDWR | constants.O_CREAT, 0o600);
  try {
    const f = journalFile(fh);
    const size = step === 0 ? validBytes : Math.max(bytes.length, validBytes + step);
    if (step === 0 && bytes.length > validBytes) {
      await fh.truncate(validBytes);
      await fh.datasync();
    } else if (step > 0 && (size > bytes.length || !allZero(bytes.subarray(validBytes)))) {
      zeroRange(f, validBytes, size);
      await fh.datasync();
    }
    if (bytes.length === 0) syncDir(dir);
    return { fh, size };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

interface Waiting {
  text: string;
  bytes: number;
  count: number;
  done: () => void;
  fail: (e: unknown) => void;
}

/** A batch written and being synced: `result` is null once synced, or the error. */
interface InFlight {
  batch: Waiting[];
  bytes: number;
  result: Promise<unknown>;
}

export class Journal {
  private seq = 0;
  /** Bytes of records known to be synced. */
  private bytes = 0;
  /** Where the next batch is written: `bytes` plus the batches in flight. */
  private end = 0;
  /** The file's size: zeros from `end` to here when pre-allocated. */
  private allocated = 0;
  private queue: Waiting[] = [];
  /** Batches written, in file order, whose sync has not been settled yet. */
  private inflight: InFlight[] = [];
  private scheduled = false;
  /** A batch failed: later batches in flight fail too, then the file is cut back to `bytes`. */
  private failing: StateError | null = null;
  private compacting = false;
  /** Settles batches one after the other, in file order. */
  private acks: Promise<void> = Promise.resolve();
  private closed = false;
  /** Set when the file could not be cut back after a failed sync: every later append fails. */
  private broken: StateError | null = null;
  private readonly counts: JournalStats = { records: 0, batches: 0, syncs: 0, failedBatches: 0 };
  /** Seconds from each batch's write to its sync's completion, as the event loop saw it, summed. */
  private syncTime = 0;

  private constructor(
    private readonly dir: string,
    private readonly fh: JournalFile,
    /** Bytes of zeros written ahead at a time (0: none). */
    private readonly step: number,
    private readonly unlock: () => void,
    private readonly dump: () => JournalRecord[],
    private readonly opts: Required<Pick<JournalOptions, 'compactBytes' | 'maxBatchBytes' | 'maxSyncs'>> &
      JournalOptions,
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
      const snap = await readFile(join(dir, 'snapshot.jsonl')).catch(() => null);
      if (snap !== null) {
        const { records } = parseJournal(snap, join(dir, 'snapshot.jsonl'));
        const end = records.at(-1);
        if (end?.t !== 'end') throw new StateError(`${dir}/snapshot.jsonl: incomplete snapshot`);
        seq = Number(end.s);
        for (const r of records.slice(0, -1)) apply(r);
      }
      const file = join(dir, 'journal.jsonl');
      const bytes = await readFile(file).catch(() => Buffer.alloc(0));
      const { records, validBytes } = parseJournal(bytes, file);
      for (const r of records) {
        if (Number(r.s) <= seq) continue;
        apply(r);
        seq = Number(r.s);
      }
      const step = opts.allocateBytes ?? 0;
      const { fh, size } = await openFile(dir, file, bytes, validBytes, step);
      const j = new Journal(dir, opts.file ? opts.file(fh) : journalFile(fh), step, unlock, dump, {
        ...opts,
        compactBytes: opts.compactBytes ?? 8 * 1024 * 1024,
        maxBatchBytes: opts.maxBatchBytes ?? 1024 * 1024,
        maxSyncs: opts.maxSyncs ?? 2,
      });
      j.seq = seq;
      j.bytes = validBytes;
      j.end = validBytes;
      j.allocated = size;
      return j;
    } catch (err) {
      unlock();
      throw err;
    }
  }

  get stats(): JournalStats {
    return { ...this.counts };
  }

  /** Seconds the successful syncs took in all, each from its batch's write to its completion seen here. */
  get syncSeconds(): number {
    return this.syncTime;
  }

  /** Appends records; resolves once they are on disk (rejects, with none of them acknowledged, if not). */
  append(records: readonly Omit<JournalRecord, 's'>[]): Promise<void> {
    if (this.closed) return Promise.reject(new StateError('journal is closed'));
    if (this.broken) return Promise.reject(this.broken);
    if (records.length === 0) return Promise.resolve();
    let text = '';
    for (const r of records) text += frame({ ...r, s: ++this.seq });
    return this.enqueue(text, records.length);
  }

  /**
   * `append` for records given as their JSON text (objects, without `s`), as a caller that
   * serialised them already has them: the same lines, the same guarantee.
   */
  appendJson(records: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(new StateError('journal is closed'));
    if (this.broken) return Promise.reject(this.broken);
    if (records.length === 0) return Promise.resolve();
    let text = '';
    for (const json of records) text += frameJson(json, ++this.seq);
    return this.enqueue(text, records.length);
  }

  private enqueue(text: string, count: number): Promise<void> {
    return new Promise((done, fail) => {
      this.queue.push({ text, bytes: Buffer.byteLength(text), count, done, fail });
      this.schedule();
    });
  }

  /**
   * Pumps once the current turn of the event loop is over: every append made in it (the requests
   * read together) joins the same batch. Not a timer: nothing waits when the loop is idle.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /**
   * Starts the next batch when it may: fewer than `maxSyncs` syncs running, no failed batch being
   * cleaned up, no compaction, and once past `compactBytes` none until the batches in flight
   * settled and compaction ran (so it runs under steady load too, and the file stays near
   * `compactBytes`). Appends that arrive meanwhile wait and form the next batch together.
   */
  private pump(): void {
    if (this.broken) {
      for (const w of this.queue.splice(0)) w.fail(this.broken);
      return;
    }
    if (this.failing || this.compacting || this.queue.length === 0) return;
    if (this.inflight.length >= this.opts.maxSyncs) return;
    if (this.end > this.opts.compactBytes && this.inflight.length > 0) return;
    const batch = this.take();
    const bytes = batch.reduce((n, b) => n + b.bytes, 0);
    const text = batch.length === 1 ? (batch[0] as Waiting).text : batch.map((b) => b.text).join('');
    const at = this.end;
    this.end += bytes;
    let result: Promise<unknown>;
    try {
      if (this.step > 0 && this.end > this.allocated) {
        // Zeros ahead first: this batch's sync commits the new size once for the next `step` bytes.
        const to = this.end + this.step;
        zeroRange(this.fh, this.allocated, to);
        this.allocated = to;
      }
      const started = performance.now();
      this.fh.writeAt(text, at);
      // After the write: the sync covers this batch (and every earlier one).
      result = this.fh.datasync().then(
        () => {
          this.syncTime += (performance.now() - started) / 1000;
          return null;
        },
        (err: unknown) => err ?? new Error('sync failed'),
      );
    } catch (err) {
      result = Promise.resolve(err ?? new Error('write failed'));
    }
    const entry: InFlight = { batch, bytes, result };
    this.inflight.push(entry);
    this.acks = this.acks.then(() => this.settle(entry));
  }

  /** The oldest waiting appends, up to `maxBatchBytes` (at least one). */
  private take(): Waiting[] {
    let n = 0;
    let bytes = 0;
    while (n < this.queue.length && (n === 0 || bytes + (this.queue[n] as Waiting).bytes <= this.opts.maxBatchBytes))
      bytes += (this.queue[n++] as Waiting).bytes;
    return this.queue.splice(0, n);
  }

  /**
   * Settles the oldest batch in flight: acknowledged when its sync and every earlier one succeeded,
   * failed otherwise (a sync error is reported once, so a later sync's success proves nothing for
   * the bytes of a failed batch before it).
   */
  private async settle(entry: InFlight): Promise<void> {
    const err = await entry.result;
    this.inflight.shift();
    if (err !== null && !this.failing) {
      this.failing = new StateError(`journal write failed: ${(err as Error).message}`, { cause: err });
    }
    if (this.failing) {
      this.counts.failedBatches++;
      for (const b of entry.batch) b.fail(this.failing);
      if (this.inflight.length === 0) {
        await this.cutBack(this.failing);
        this.failing = null;
      }
    } else {
      this.counts.batches++;
      this.counts.syncs++;
      this.bytes += entry.bytes;
      for (const b of entry.batch) {
        this.counts.records += b.count;
        b.done();
      }
      if (this.bytes > this.opts.compactBytes && this.inflight.length === 0) {
        // The batch is durable already; a failed compaction is tried again after the next sync.
        this.compacting = true;
        await this.compact().catch((e: unknown) => this.opts.onCompactError?.(e));
        this.compacting = false;
      }
    }
    this.pump();
  }

  /** After a failed batch: the file back to its last synced byte, or the journal refuses from now on. */
  private async cutBack(cause: StateError): Promise<void> {
    try {
      await this.takeBack(this.bytes);
    } catch (err) {
      this.broken = new StateError(
        `journal unusable after a failed write (${(cause.cause as Error)?.message ?? cause.message}) and a failed repair (${(err as Error).message}); restart salve`,
        { code: 'journal-broken', cause: err },
      );
    }
  }

  /** Writes the whole state as a snapshot and empties the journal. */
  async compact(): Promise<void> {
    const tmp = join(this.dir, 'snapshot.jsonl.tmp');
    const body = [...this.dump(), { t: 'end', s: this.seq }].map(frame).join('');
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, 'snapshot.jsonl'));
    syncDir(this.dir);
    // The snapshot holds everything the journal held: its records may go.
    try {
      await this.takeBack(0);
    } catch (err) {
      // Part zeroed, part not: a record written now could sit before stale ones.
      this.broken = new StateError(`journal unusable after a failed reset (${(err as Error).message}); restart salve`, {
        code: 'journal-broken',
        cause: err,
      });
      throw this.broken;
    }
  }

  /**
   * Makes the bytes from `from` on hold no record (zeroed when pre-allocated, cut off otherwise),
   * synced; the next batch is written at `from`.
   */
  private async takeBack(from: number): Promise<void> {
    if (this.step > 0) zeroRange(this.fh, from, this.end);
    else await this.fh.truncate(from);
    await this.fh.datasync();
    this.bytes = from;
    this.end = from;
  }

  async close(): Promise<void> {
    this.closed = true;
    // Appends made before close are written (and acknowledged or failed) first.
    while (this.queue.length > 0 || this.inflight.length > 0 || this.compacting) {
      this.pump();
      await this.acks;
    }
    for (const w of this.queue.splice(0)) w.fail(new StateError('journal is closed'));
    await this.fh.close();
    this.unlock();
  }
}
