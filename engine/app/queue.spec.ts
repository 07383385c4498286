import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './queue.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('app/queue', () => {
  it('runs one batch at a time per key, batches what arrives meanwhile, and runs keys in parallel', async () => {
    const log: string[] = [];
    let active = new Map<string, number>();
    let maxPerKey = 0;
    let maxOverall = 0;
    const q = new KeyedQueue<number>(
      async (key, batch) => {
        active.set(key, (active.get(key) ?? 0) + 1);
        maxPerKey = Math.max(maxPerKey, ...active.values());
        maxOverall = Math.max(
          maxOverall,
          [...active.values()].reduce((a, b) => a + b, 0),
        );
        log.push(`${key}:${batch.join(',')}`);
        await tick(20);
        active.set(key, (active.get(key) ?? 1) - 1);
      },
      () => {},
    );
    q.push('a/x', 1);
    q.push('b/y', 1);
    for (let i = 2; i <= 5; i++) q.push('a/x', i);
    expect(q.depth).toBe(4);
    await q.idle();
    expect(log.filter((l) => l.startsWith('a/x'))).toEqual(['a/x:1', 'a/x:2,3,4,5']);
    expect(maxPerKey).toBe(1);
    expect(maxOverall).toBe(2);
    expect(q.busy).toBe(false);
    active = new Map();
  });

  it('reports a failing batch and goes on with the next', async () => {
    const errors: string[] = [];
    const done: number[][] = [];
    const q = new KeyedQueue<number>(
      async (_k, batch) => {
        if (batch.includes(1)) throw new Error('boom');
        done.push(batch);
      },
      (key, err) => errors.push(`${key}: ${(err as Error).message}`),
    );
    q.push('k', 1);
    q.push('k', 2);
    await q.idle();
    expect(errors).toEqual(['k: boom']);
    expect(done).toEqual([[2]]);
  });
});
