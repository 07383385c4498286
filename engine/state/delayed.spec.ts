import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../../test/app/redis-server.ts';
import { silentLogger } from '../telemetry/logger.ts';
import type { DelayedJobs } from './delayed.ts';
import { openEmbeddedStore } from './embedded.ts';
import { openRedisStore } from './redis.ts';
import type { StateStore } from './types.ts';

const log = silentLogger();
const dirs: string[] = [];
const stores: StateStore[] = [];
const children: ChildProcess[] = [];
const HOUR = 3_600_000;

async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'salve-delayed-'));
  dirs.push(d);
  return d;
}
const keep = <T extends StateStore>(s: T) => {
  stores.push(s);
  return s;
};

/** A replica process (__fixtures__/delayed-replica.ts); resolves once it printed `until`. */
function replica(args: string[], until: string) {
  const script = fileURLToPath(new URL('./__fixtures__/delayed-replica.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<string | null>((r) => child.once('exit', (_c, sig) => r(sig)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').includes(until)) resolve();
    });
    child.once('exit', () => reject(new Error(`replica exited early:\n${out}\n${err}`)));
  });
  return { child, ready, exited, out: () => out };
}

/** Runs that count per key; `hook` may throw or put the next step. */
function counter(jobs: DelayedJobs<{ pull: number }>, hook?: (n: number, key: string) => Promise<void>) {
  const runs = new Map<string, number>();
  jobs.start(async (_data, key) => {
    const n = (runs.get(key) ?? 0) + 1;
    runs.set(key, n);
    await hook?.(n, key);
  });
  return runs;
}

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('state: delayed jobs in the embedded journal', () => {
  it('a job scheduled before kill -9 runs once after the restart, and not again', async () => {
    const dir = await tempDir();
    const r = replica(['journal', dir, '-', 'schedule', 'acme/cfg#41'], 'scheduled');
    await r.ready;
    r.child.kill('SIGKILL');
    expect(await r.exited).toBe('SIGKILL');
    expect(r.out()).not.toMatch(/running/);

    // The restarted server's clock is past the job's time: it runs at once.
    const s = keep(await openEmbeddedStore({ dir, log }));
    const jobs = await s.delayed<{ pull: number }>('followups', { now: () => Date.now() + 2 * HOUR });
    expect(await jobs.keys()).toEqual(['acme/cfg#41']);
    const runs = counter(jobs);
    await expect.poll(() => jobs.keys()).toEqual([]);
    expect(runs.get('acme/cfg#41')).toBe(1);
    await s.close();

    const again = keep(await openEmbeddedStore({ dir, log }));
    const after = await again.delayed<{ pull: number }>('followups', { now: () => Date.now() + 2 * HOUR });
    expect(await after.keys()).toEqual([]);
  });

  it("a run's next step replaces its job; a failed run is retried; cancel drops a waiting job", async () => {
    const s = keep(await openEmbeddedStore({ dir: await tempDir(), log }));
    const jobs = await s.delayed<{ pull: number }>('followups', { retryBaseMs: 1 });
    const runs = counter(jobs, async (n, key) => {
      if (key === 'step' && n === 1) await jobs.put('step', { pull: 2 }, new Date());
      if (key === 'flaky' && n < 3) throw new Error('GitHub 502');
    });
    await jobs.put('step', { pull: 1 }, new Date());
    await jobs.put('flaky', { pull: 3 }, new Date());
    await jobs.put('later', { pull: 4 }, new Date(Date.now() + HOUR));
    await expect.poll(() => jobs.keys()).toEqual(['later']);
    expect(await jobs.get('later')).toEqual({ pull: 4 });
    expect(await jobs.get('step')).toBeNull();
    expect(runs.get('step')).toBe(2);
    expect(runs.get('flaky')).toBe(3);
    await jobs.cancel('later');
    expect(await jobs.keys()).toEqual([]);
    expect(runs.has('later')).toBe(false);
  });
});

describe('state: delayed jobs on BullMQ (several replicas on one real Redis)', () => {
  let redis: RedisServer;
  let n = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  const open = (prefix: string) => openRedisStore({ url: redis.url, log, prefix, lockMs: 1000 }).then(keep);

  it('the same key put by three replicas is one job, run once; a later put of a finished key is no new job', async () => {
    const prefix = `d${++n}`;
    const replicas = await Promise.all([open(prefix), open(prefix), open(prefix)]);
    const jobs = await Promise.all(replicas.map((s) => s.delayed<{ pull: number }>('followups')));
    const runs = jobs.map((j) => counter(j));
    const soon = new Date(Date.now() + 300);
    await Promise.all(jobs.map((j) => j.put('acme/cfg#41', { pull: 41 }, soon)));
    expect(await jobs[0]?.keys()).toEqual(['acme/cfg#41']);
    await expect.poll(() => jobs[0]?.keys(), { timeout: 15_000 }).toEqual([]);
    const total = () => runs.reduce((sum, r) => sum + (r.get('acme/cfg#41') ?? 0), 0);
    expect(total()).toBe(1);
    // A late redelivery on another replica: the finished job is kept, no second run is queued.
    await jobs[2]?.put('acme/cfg#41', { pull: 41 }, new Date());
    expect(await jobs[1]?.keys()).toEqual([]);
    expect(total()).toBe(1);
  });

  it("a run's next step moves its job back to delayed, on whichever replica runs it", async () => {
    const prefix = `d${++n}`;
    const [a, b] = await Promise.all([open(prefix), open(prefix)]);
    const ja = await (a as StateStore).delayed<{ pull: number }>('followups');
    const jb = await (b as StateStore).delayed<{ pull: number }>('followups');
    const seen: number[] = [];
    for (const j of [ja, jb])
      j.start(async (data, key) => {
        seen.push(data.pull);
        if (data.pull < 3) await j.put(key, { pull: data.pull + 1 }, new Date(Date.now() + 50));
      });
    await ja.put('acme/cfg#7', { pull: 1 }, new Date());
    await expect.poll(() => seen, { timeout: 15_000 }).toEqual([1, 2, 3]);
    await expect.poll(() => jb.keys(), { timeout: 15_000 }).toEqual([]);
    await jb.put('acme/cfg#8', { pull: 9 }, new Date(Date.now() + HOUR));
    expect(await ja.keys()).toEqual(['acme/cfg#8']);
    // Any replica reads a waiting job's data; a finished one has none.
    expect(await ja.get('acme/cfg#8')).toEqual({ pull: 9 });
    expect(await ja.get('acme/cfg#7')).toBeNull();
    await ja.cancel('acme/cfg#8');
    expect(await jb.keys()).toEqual([]);
    expect(await jb.get('acme/cfg#8')).toBeNull();
  });

  it('a replica killed with SIGKILL mid-run: another replica runs the job to completion', async () => {
    const prefix = `d${++n}`;
    const victim = replica(['redis', redis.url, prefix, '-', '-'], 'started');
    await victim.ready;
    const s = await open(prefix);
    const jobs = await s.delayed<{ pull: number }>('followups');
    await jobs.put('acme/cfg#42', { pull: 42 }, new Date());
    await expect.poll(() => victim.out(), { timeout: 15_000 }).toMatch(/running acme\/cfg#42/);
    // Only now does the survivor take jobs: the victim holds this one.
    const runs = counter(jobs);
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    await expect.poll(() => runs.get('acme/cfg#42'), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => jobs.keys(), { timeout: 15_000 }).toEqual([]);
    expect(runs.get('acme/cfg#42')).toBe(1);
  });
});
