import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../telemetry/logger.ts';
import { deploymentPod, podAlert } from './__fixtures__/alerts.ts';
import { openEmbeddedStore } from './embedded.ts';
import { frame, parseJournal } from './journal-format.ts';
import { type InboxEntry, QueueFull, StateError, type StateStore } from './types.ts';

const REPO = 'acme/platform-config';
const dirs: string[] = [];
const stores: StateStore[] = [];
async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'salve-state-'));
  dirs.push(d);
  return d;
}
/**
 * Runs a writer fixture on `dir`, kills it with SIGKILL once it has printed more than `lines` lines,
 * and returns the numbers it printed: the alerts it was told were durably queued.
 */
async function killMidStream(fixture: string, dir: string, args: string[], lines: number): Promise<number[]> {
  const writer = fileURLToPath(new URL(`./__fixtures__/${fixture}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<string | null>((r) => child.once('exit', (_c, sig) => r(sig)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').length > lines) resolve();
    });
    child.once('exit', () => reject(new Error(`writer exited early: ${err}`)));
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return out
    .split('\n')
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

async function open(dir: string, extra: Partial<Parameters<typeof openEmbeddedStore>[0]> = {}) {
  const s = await openEmbeddedStore({ dir, log: silentLogger(), ...extra });
  stores.push(s);
  return s;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('state/embedded', () => {
  it('keeps the inbox, pending list, holds and delivery ids across a reopen', async () => {
    const dir = await tempDir();
    const a = await open(dir);
    await a.inbox.enqueue(REPO, [podAlert(deploymentPod('checkout', 1)), podAlert('cart-0')]);
    const { fixturePublish } = await import('../app/__fixtures__/requests.ts');
    const p = fixturePublish();
    await a.pending.hold(REPO, { request: p.request, decision: p.remediation.decision, proofDigest: 'sha256:x' });
    await a.holds.set(REPO, Date.now() + 60_000);
    expect(await a.deliveries.claim(['id:d-1', 'body:1'])).toBe(true);
    await a.close();

    const b = await open(dir);
    expect((await b.inbox.snapshot(REPO)).map((e) => e.owner).sort()).toEqual([
      'staging/shop/Deployment/checkout',
      'staging/shop/StatefulSet/cart',
    ]);
    expect((await b.pending.list(REPO)).map((x) => x.request.id)).toEqual([p.request.id]);
    expect(await b.holds.get(REPO, Date.now())).toBeGreaterThan(Date.now());
    expect(await b.deliveries.claim(['id:d-1'])).toBe(false);
    expect(await b.deliveries.claim(['id:d-2', 'body:1'])).toBe(false);
    expect(await b.deliveries.claim(['id:d-2', 'body:2'])).toBe(true);
  });

  it('merges a storm by owner and alert identity, and consumes only what did not change since the snapshot', async () => {
    const s = await open(await tempDir());
    const storm = Array.from({ length: 300 }, (_, i) => podAlert(deploymentPod('checkout', i)));
    for (let round = 0; round < 3; round++) await s.inbox.enqueue(REPO, storm);
    const snap = await s.inbox.snapshot(REPO);
    expect(new Set(snap.map((e) => e.owner))).toEqual(new Set(['staging/shop/Deployment/checkout']));
    expect(snap).toHaveLength(200); // at most maxAlertsPerOwner distinct alerts
    const resolved = podAlert(deploymentPod('checkout', 0), { status: 'resolved' });
    expect(await s.inbox.enqueue(REPO, [resolved])).toEqual({ stored: 1, capped: 0 });
    await s.inbox.consume(REPO, snap);
    const left = await s.inbox.snapshot(REPO);
    expect(left.map((e) => e.alert.status)).toEqual(['resolved']);
    expect(await s.inbox.depth()).toBe(1);
  });

  it('refuses a new owner past the bound, storing nothing of that payload', async () => {
    const s = await open(await tempDir(), { bounds: { maxOwners: 2, maxAlertsPerOwner: 10 } });
    await s.inbox.enqueue(REPO, [podAlert('a-0'), podAlert('b-0')]);
    await expect(s.inbox.enqueue(REPO, [podAlert('a-1'), podAlert('c-0')])).rejects.toBeInstanceOf(QueueFull);
    expect((await s.inbox.snapshot(REPO)).map((e) => e.alert.labels.pod).sort()).toEqual(['a-0', 'b-0']);
    expect(await s.inbox.enqueue(REPO, [podAlert('a-1')])).toEqual({ stored: 1, capped: 0 });
  });

  it('drops a torn last record, appends after it, and refuses corruption in the middle', async () => {
    const dir = await tempDir();
    const a = await open(dir);
    await a.inbox.enqueue(REPO, [podAlert('a-0')]);
    await a.close();
    // Torn where the next batch goes: right after the last record, over the pre-allocated zeros.
    const image = await readFile(join(dir, 'journal.jsonl'));
    image.write('0123456789abcdef {"t":"put","r":"acme/platform-co', image.indexOf(0));
    await writeFile(join(dir, 'journal.jsonl'), image);
    const b = await open(dir);
    expect(await b.inbox.depth()).toBe(1);
    await b.inbox.enqueue(REPO, [podAlert('b-0')]);
    await b.close();
    const c = await open(dir);
    expect(await c.inbox.depth()).toBe(2);
    await c.close();

    const text = await readFile(join(dir, 'journal.jsonl'), 'utf8');
    await writeFile(join(dir, 'journal.jsonl'), text.replace('"a-0"', '"a-X"'));
    await expect(open(dir)).rejects.toThrow(StateError);
    await expect(open(dir)).rejects.toThrow(/corrupt record at byte 0 followed by good ones/);
  });

  it('compacts into a snapshot and replays the same state', async () => {
    const dir = await tempDir();
    const a = await open(dir, { compactBytes: 4096 });
    for (let i = 0; i < 40; i++) await a.inbox.enqueue(REPO, [podAlert(`w${i}-0`)]);
    await a.inbox.consume(REPO, (await a.inbox.snapshot(REPO)).slice(0, 10));
    await a.close();
    expect((await readFile(join(dir, 'snapshot.jsonl'), 'utf8')).length).toBeGreaterThan(0);
    const b = await open(dir);
    expect(await b.inbox.depth()).toBe(30);
  });

  it('refuses a state directory another live process holds', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'lock'), `${process.ppid}\n`);
    await expect(open(dir)).rejects.toMatchObject({ code: 'state-locked' });
  });

  it('loses no acknowledged alert when its process is killed with SIGKILL mid-stream', async () => {
    const dir = await tempDir();
    // Past a compaction (64 KiB) and well into the next journal.
    const acked = await killMidStream('journal-writer.ts', dir, [], 400);
    const s = await open(dir);
    const pods = new Set((await s.inbox.snapshot(REPO)).map((e) => e.alert.labels.pod));
    const starts = new Set((await s.inbox.snapshot(REPO)).map((e) => e.alert.startsAt));
    for (const i of acked) {
      expect(pods.has(deploymentPod('checkout', i))).toBe(true);
      expect(pods.has(`cart${i}-0`)).toBe(true);
      expect(starts.has(new Date(Date.UTC(2025, 2, 4, 0, 0, i)).toISOString())).toBe(true);
      expect(await s.deliveries.claim([`id:${i}`])).toBe(false);
    }
  });

  it('loses no acknowledged alert of 32 concurrent senders when killed with SIGKILL (group commit)', async () => {
    const dir = await tempDir();
    // Past compactions (64 KiB, about 150 alerts each) and well into the next journal.
    const acked = await killMidStream('journal-storm.ts', dir, ['32'], 1500);
    expect(acked.length).toBeGreaterThanOrEqual(1500);
    const s = await open(dir);
    const pods = new Set((await s.inbox.snapshot(REPO)).map((e) => e.alert.labels.pod));
    const missing = acked.filter((n) => !pods.has(deploymentPod(`storm${n % 50}`, n)));
    expect(missing).toEqual([]);
  });

  it('after a power cut mid-batch on the pre-allocated journal, replays to the gap: no acknowledged alert lost, no stale frame read', async () => {
    const dir = await tempDir();
    const acked = new Set(await killMidStream('journal-storm.ts', dir, ['32'], 500));
    const file = join(dir, 'journal.jsonl');
    const image = await readFile(file);
    // 64 KiB compactions (the fixture's), zeros written 1 MiB ahead: the file never grew past that.
    expect(image.length).toBe(1024 * 1024);
    const { records, validBytes } = parseJournal(image, file);
    expect(image.subarray(validBytes).every((b) => b === 0)).toBe(true);
    // A power cut loses what was not synced: the first record no client was told of starts an
    // unsynced batch. Its page keeps what the disk held before (the synced bytes, zeros after); a
    // later page of the batch reached the disk, carrying frames with the next sequence numbers.
    const ackedPods = new Set([...acked].map((n) => deploymentPod(`storm${n % 50}`, n)));
    let cut = validBytes;
    let offset = 0;
    for (const r of records) {
      if (!ackedPods.has((r.e as InboxEntry).alert.labels.pod ?? '')) {
        cut = offset;
        break;
      }
      offset += Buffer.byteLength(frame(r));
    }
    const page = Math.ceil((cut + 1) / 4096) * 4096;
    image.fill(0, cut, page);
    const next = Math.max(0, ...records.map((r) => Number(r.s))) + 1;
    const ghosts = Array.from({ length: 30 }, (_, k) =>
      frame({
        t: 'put',
        r: REPO,
        e: { owner: 'ghost', id: `g${k}`, version: 'v', alert: podAlert(`ghost-${k}`) },
        s: next + k,
      }),
    ).join('');
    image.write(ghosts, page);
    await writeFile(file, image);

    const s = await open(dir);
    const pods = new Set((await s.inbox.snapshot(REPO)).map((e) => e.alert.labels.pod));
    expect([...acked].filter((n) => !pods.has(deploymentPod(`storm${n % 50}`, n)))).toEqual([]);
    expect([...pods].filter((p) => p?.startsWith('ghost-'))).toEqual([]);
    // Opening zeroed everything past the last whole record: later records never meet a stale frame.
    const reopened = await readFile(file);
    expect(reopened.subarray(parseJournal(reopened, file).validBytes).every((b) => b === 0)).toBe(true);
    await s.inbox.enqueue(REPO, [podAlert('after-0')]);
    await s.close();
    const t = await open(dir);
    const later = new Set((await t.inbox.snapshot(REPO)).map((e) => e.alert.labels.pod));
    expect(later.has('after-0')).toBe(true);
    expect([...later].filter((p) => p?.startsWith('ghost-'))).toEqual([]);
  });
});
