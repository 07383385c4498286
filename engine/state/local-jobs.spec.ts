import { describe, expect, it } from 'vitest';
import { silentLogger } from '../telemetry/logger.ts';
import { LocalJobs } from './local-jobs.ts';
import type { Holds } from './types.ts';

function memoryHolds(): Holds & { map: Map<string, number> } {
  const map = new Map<string, number>();
  return {
    map,
    async set(r, u) {
      map.set(r, u);
    },
    async get(r, now) {
      const u = map.get(r);
      return u !== undefined && u > now ? u : null;
    },
    async clear(r) {
      map.delete(r);
    },
  };
}

describe('state/local-jobs', () => {
  it('runs one job at a time per repository, folds requests made meanwhile into one more run, and runs repositories in parallel', async () => {
    const log: string[] = [];
    const active = new Map<string, number>();
    let maxPerRepo = 0;
    let maxOverall = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const jobs = new LocalJobs({ holds: memoryHolds(), log: silentLogger() });
    jobs.start(async ({ repo }) => {
      active.set(repo, (active.get(repo) ?? 0) + 1);
      maxPerRepo = Math.max(maxPerRepo, ...active.values());
      maxOverall = Math.max(
        maxOverall,
        [...active.values()].reduce((a, b) => a + b, 0),
      );
      log.push(repo);
      if (log.length <= 2) await gate;
      active.set(repo, (active.get(repo) ?? 1) - 1);
    });
    await jobs.schedule('a/x');
    await jobs.schedule('b/y');
    for (let i = 0; i < 50; i++) await jobs.schedule('a/x');
    release();
    await jobs.idle();
    expect(log.filter((r) => r === 'a/x')).toHaveLength(2);
    expect(maxPerRepo).toBe(1);
    expect(maxOverall).toBe(2);
  });

  it('holds a failing repository for its back-off (or Retry-After), then runs it again, in order', async () => {
    const holds = memoryHolds();
    const events: string[] = [];
    const jobs = new LocalJobs({ holds, log: silentLogger(), backoff: { baseMs: 5, maxMs: 50 } });
    jobs.start(async ({ repo, attempt }) => {
      events.push(`${repo}#${attempt}`);
      if (attempt === 1) {
        throw Object.assign(new Error('secondary rate limit'), {
          status: 403,
          response: { headers: { 'retry-after': '0' } },
        });
      }
      if (attempt === 2) {
        events.push(`held:${holds.map.has(repo)}`);
        throw new Error('502');
      }
    });
    await jobs.schedule('a/x');
    await jobs.idle();
    expect(events).toEqual(['a/x#1', 'a/x#2', 'held:true', 'a/x#3']);
    expect(holds.map.has('a/x')).toBe(false);
  });

  it('stops taking work and reports the runs it handed back', async () => {
    const jobs = new LocalJobs({ holds: memoryHolds(), log: silentLogger() });
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    jobs.start(async () => {
      started();
      await new Promise(() => {});
    });
    await jobs.schedule('a/x');
    await running;
    expect(await jobs.stop(10)).toEqual({ finished: 0, handedBack: 1 });
    await jobs.schedule('b/y');
    expect(await jobs.counts()).toMatchObject({ waiting: 0 });
  });
});
