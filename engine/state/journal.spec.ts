import { createHash } from 'node:crypto';
import { appendFile, type FileHandle, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, type JournalFile, type JournalOptions, type JournalRecord, journalFile } from './journal.ts';
import { frame } from './journal-format.ts';

const dirs: string[] = [];
const journals: Journal[] = [];
afterEach(async () => {
  for (const j of journals.splice(0)) await j.close().catch(() => {});
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'salve-journal-'));
  dirs.push(d);
  return d;
}

/** Opens the journal in `dir`; the records it replayed are returned beside it. */
async function openJournal(dir: string, opts: JournalOptions = {}) {
  const replayed: JournalRecord[] = [];
  const j = await Journal.open(
    dir,
    (r) => replayed.push(r),
    () => [],
    opts,
  );
  journals.push(j);
  return { j, replayed };
}

/** The real file, whose n-th datasync (1-based) fails, and whose truncate fails too when asked. */
function failingSync(n: number, alsoTruncate = false): (fh: FileHandle) => JournalFile {
  return (fh) => {
    let calls = 0;
    return {
      ...journalFile(fh),
      truncate: (len: number) => (alsoTruncate ? Promise.reject(new Error('EIO: truncate')) : fh.truncate(len)),
      datasync: async () => {
        calls++;
        if (calls === n) throw new Error('EIO: i/o error');
        if (alsoTruncate && calls > n) throw new Error('EIO: i/o error');
        return fh.datasync();
      },
    };
  };
}

describe('state/journal', () => {
  it('covers many concurrent appends with one or two writes and syncs, all acknowledged and replayed', async () => {
    const dir = await tempDir();
    const { j } = await openJournal(dir);
    const appends = Array.from({ length: 200 }, (_, i) => j.append([{ t: 'put', i }]));
    await Promise.all(appends);
    // Appends made in one turn of the event loop (requests read together) share one batch.
    expect(j.stats).toEqual({ records: 200, batches: 1, syncs: 1, failedBatches: 0 });
    // One made in a later turn, while that batch syncs, does not wait for it: it starts the next.
    const late = Array.from({ length: 20 }, (_, i) => j.append([{ t: 'put', i: 200 + i }]));
    await new Promise((r) => setImmediate(r));
    const later = Array.from({ length: 20 }, (_, i) => j.append([{ t: 'put', i: 220 + i }]));
    await Promise.all([...late, ...later]);
    expect(j.stats).toEqual({ records: 240, batches: 3, syncs: 3, failedBatches: 0 });
    // Each sync's time, from its batch's write to its completion, is summed for the figures.
    expect(j.syncSeconds).toBeGreaterThan(0);
    await j.close();
    const { replayed } = await openJournal(dir);
    expect(replayed.map((r) => r.i)).toEqual(Array.from({ length: 240 }, (_, i) => i));
  });

  it('writes records given as JSON text (appendJson) as the same lines append writes, replayed alike', async () => {
    const records = [
      { t: 'put', r: 'acme/config', e: { id: 'a"\\\n\u2028', n: [1, { x: null }] } },
      { t: 'del', r: 'acme/config', o: 'c/ns/Deployment/web', i: 'fp:2025', v: 'ab' },
    ];
    const viaObjects = await tempDir();
    const a = (await openJournal(viaObjects)).j;
    await a.append(records);
    await a.close();
    const viaText = await tempDir();
    const b = (await openJournal(viaText)).j;
    await b.appendJson(records.map((r) => JSON.stringify(r)));
    await b.close();
    const text = await readFile(join(viaText, 'journal.jsonl'));
    expect(text.equals(await readFile(join(viaObjects, 'journal.jsonl')))).toBe(true);
    expect(text.toString('utf8')).toContain(frame({ ...records[1], s: 2 }));
    const { replayed } = await openJournal(viaText);
    expect(replayed).toEqual(records.map((r, i) => ({ ...r, s: i + 1 })));
  });

  it('keeps each batch within maxBatchBytes', async () => {
    const { j } = await openJournal(await tempDir(), { maxBatchBytes: 4096 });
    await Promise.all(Array.from({ length: 200 }, (_, i) => j.append([{ t: 'put', i, pad: 'x'.repeat(100) }])));
    // About 130 bytes a line: 31 lines a batch at most, so at least 7 batches for 200.
    expect(j.stats.batches).toBeGreaterThanOrEqual(7);
    expect(j.stats.records).toBe(200);
  });

  it('fails every append of a batch whose sync failed, cuts the file back, and goes on', async () => {
    const dir = await tempDir();
    const { j } = await openJournal(dir, { file: failingSync(2), maxSyncs: 1 });
    const first = j.append([{ t: 'put', i: 'first' }]);
    await new Promise((r) => setImmediate(r));
    const lost = Array.from({ length: 50 }, (_, i) => j.append([{ t: 'put', i: `lost-${i}` }]));
    await expect(first).resolves.toBeUndefined();
    const settled = await Promise.allSettled(lost);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect((settled[0] as PromiseRejectedResult).reason.message).toMatch(/journal write failed: EIO: i\/o error/);
    expect(j.stats).toMatchObject({ records: 1, failedBatches: 1 });
    await j.append([{ t: 'put', i: 'after' }]);
    await j.close();

    // The failed batch was written before its sync failed: the file no longer holds it.
    expect(await readFile(join(dir, 'journal.jsonl'), 'utf8')).not.toContain('lost-');
    const { replayed } = await openJournal(dir);
    expect(replayed.map((r) => r.i)).toEqual(['first', 'after']);
  });

  it('fails a batch written behind a failed one even when its own sync succeeded', async () => {
    const dir = await tempDir();
    // The first sync fails only once the second (a later batch's) has succeeded.
    let secondDone: () => void = () => {};
    const second = new Promise<void>((r) => {
      secondDone = r;
    });
    const file = (fh: FileHandle): JournalFile => {
      let calls = 0;
      return {
        ...journalFile(fh),
        datasync: async () => {
          calls++;
          if (calls === 1) {
            await second;
            throw new Error('EIO: i/o error');
          }
          await fh.datasync();
          if (calls === 2) secondDone();
        },
      };
    };
    const { j } = await openJournal(dir, { file, maxSyncs: 2 });
    const a = j.append([{ t: 'put', i: 'a' }]);
    await new Promise((r) => setImmediate(r));
    const b = j.append([{ t: 'put', i: 'b' }]);
    const results = await Promise.allSettled([a, b]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await j.append([{ t: 'put', i: 'c' }]);
    await j.close();
    const { replayed } = await openJournal(dir);
    expect(replayed.map((r) => r.i)).toEqual(['c']);
  });

  it('refuses every later append when the file cannot be cut back after a failed sync', async () => {
    const { j } = await openJournal(await tempDir(), { file: failingSync(1, true) });
    await expect(j.append([{ t: 'put', i: 1 }])).rejects.toThrow(/journal write failed/);
    await expect(j.append([{ t: 'put', i: 2 }])).rejects.toMatchObject({ code: 'journal-broken' });
  });

  it('reads lines of earlier versions, checked with a SHA-256 prefix', async () => {
    const dir = await tempDir();
    const json = JSON.stringify({ t: 'put', i: 'old', s: 1 });
    const sum = createHash('sha256').update(json).digest('hex').slice(0, 16);
    await appendFile(join(dir, 'journal.jsonl'), `${sum} ${json}\n`);
    const { j, replayed } = await openJournal(dir);
    expect(replayed.map((r) => r.i)).toEqual(['old']);
    await j.append([{ t: 'put', i: 'new' }]);
    await j.close();
    const text = await readFile(join(dir, 'journal.jsonl'), 'utf8');
    expect(text.split('\n')[1]).toMatch(/^[0-9a-f]{8} \{"t":"put","i":"new","s":2\}$/);
    expect((await openJournal(dir)).replayed.map((r) => r.i)).toEqual(['old', 'new']);
  });

  describe('pre-allocated', () => {
    const STEP = 4096;
    const SEGMENT = 64 * 1024;
    const zeroFrom = (bytes: Buffer, at: number) => bytes.subarray(at).every((b) => b === 0);

    it('writes zeros ahead of the records, a step at a time, and reads records up to the first NUL', async () => {
      const dir = await tempDir();
      const file = join(dir, 'journal.jsonl');
      const { j } = await openJournal(dir, { allocateBytes: STEP });
      expect((await readFile(file)).length).toBe(STEP);
      const pad = 'x'.repeat(300);
      await Promise.all(Array.from({ length: 20 }, (_, i) => j.append([{ t: 'put', i, pad }])));
      await j.append([{ t: 'put', i: 'last', pad }]);
      await j.close();
      const bytes = await readFile(file);
      const end = bytes.indexOf(0);
      // 21 records of about 340 bytes: past the first step, and at most one step of zeros ahead.
      expect(end).toBeGreaterThan(STEP);
      expect(bytes.length).toBeGreaterThan(end);
      expect(bytes.length).toBeLessThanOrEqual(end + STEP);
      expect(bytes.subarray(0, end).toString().split('\n')).toHaveLength(22);
      expect(zeroFrom(bytes, end)).toBe(true);
      const { replayed } = await openJournal(dir, { allocateBytes: STEP });
      expect(replayed.map((r) => r.i)).toEqual([...Array.from({ length: 20 }, (_, i) => i), 'last']);
    });

    it('after a crash mid-batch (a page lost, later ones on disk) replays up to the gap and zeroes what follows', async () => {
      const dir = await tempDir();
      const file = join(dir, 'journal.jsonl');
      const first = await openJournal(dir, { allocateBytes: SEGMENT });
      await first.j.append([{ t: 'put', i: 'acked-1' }]);
      await first.j.append([{ t: 'put', i: 'acked-2' }]);
      await first.j.close();
      // The image a power cut leaves of an unsynced batch (sequence numbers 3…): its first page never
      // reached the disk, the next did, and its last line is torn.
      const image = await readFile(file);
      const end = image.indexOf(0);
      const ghosts = Array.from({ length: 40 }, (_, k) => frame({ t: 'put', i: `ghost-${k}`, s: 3 + k })).join('');
      const page = Math.ceil((end + 1) / 4096) * 4096;
      image.write(ghosts.slice(page - end), page);
      image.write('0badc0de {"t":"put","i":"torn', page + 2 * 4096);
      await writeFile(file, image);

      const second = await openJournal(dir, { allocateBytes: SEGMENT });
      expect(second.replayed.map((r) => r.i)).toEqual(['acked-1', 'acked-2']);
      const after = await readFile(file);
      expect(after.length).toBeGreaterThanOrEqual(image.length);
      expect(zeroFrom(after, end)).toBe(true);
      // The next records reuse those sequence numbers and offsets: no stale frame is read after them.
      await second.j.append([{ t: 'put', i: 'after' }]);
      await second.j.close();
      const third = await openJournal(dir, { allocateBytes: SEGMENT });
      expect(third.replayed.map((r) => r.i)).toEqual(['acked-1', 'acked-2', 'after']);
    });

    it('still refuses a damaged record followed by good ones before the zeroed tail', async () => {
      const dir = await tempDir();
      const file = join(dir, 'journal.jsonl');
      const { j } = await openJournal(dir, { allocateBytes: SEGMENT });
      await j.append([{ t: 'put', i: 'aaaa' }]);
      await j.append([{ t: 'put', i: 'bbbb' }]);
      await j.close();
      const bytes = await readFile(file);
      bytes.write('"zzzz"', bytes.indexOf('"aaaa"'));
      await writeFile(file, bytes);
      await expect(openJournal(dir, { allocateBytes: SEGMENT })).rejects.toThrow(/corrupt record at byte 0/);
    });

    it('compacts by zeroing the records it snapshotted and starts over at byte 0: the file does not grow', async () => {
      const dir = await tempDir();
      const file = join(dir, 'journal.jsonl');
      const state = new Map<unknown, JournalRecord>();
      const open = () =>
        Journal.open(
          dir,
          (r) => state.set(r.i, r),
          () => [...state.values()].map(({ s: _s, ...r }) => r as JournalRecord),
          { compactBytes: 8192, allocateBytes: STEP },
        );
      const j = await open();
      journals.push(j);
      for (let round = 0; round < 30; round++)
        await Promise.all(
          Array.from({ length: 20 }, (_, k) => {
            const r = { t: 'put', i: k, round, pad: 'x'.repeat(60) };
            state.set(k, r as JournalRecord);
            return j.append([r]);
          }),
        );
      await j.close();
      // About 100 bytes a record, 600 (60 KB) written in all, 8 KiB a compaction: the file stays
      // within compactBytes, the batches past it, and one step of zeros.
      expect((await readFile(file)).length).toBeLessThanOrEqual(8192 + 2 * 2048 + STEP);
      expect((await readFile(join(dir, 'snapshot.jsonl'), 'utf8')).length).toBeGreaterThan(0);
      state.clear();
      journals.push(await open());
      expect([...state.values()].map((r) => r.round)).toEqual(Array(20).fill(29));
    });
  });
});
