import { createHash } from 'node:crypto';
import { appendFile, type FileHandle, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, type JournalFile, type JournalOptions, type JournalRecord } from './journal.ts';

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
      write: fh.write.bind(fh) as JournalFile['write'],
      close: () => fh.close(),
      truncate: (len?: number) => (alsoTruncate ? Promise.reject(new Error('EIO: truncate')) : fh.truncate(len)),
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
    // The first append starts a batch on its own (an idle journal does not wait); the 199 others,
    // made while it was written, share the next one.
    expect(j.stats).toEqual({ records: 200, batches: 2, syncs: 2, failedBatches: 0 });
    await j.close();
    const { replayed } = await openJournal(dir);
    expect(replayed.map((r) => r.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
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
        write: fh.write.bind(fh) as JournalFile['write'],
        close: () => fh.close(),
        truncate: (len?: number) => fh.truncate(len),
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
});
