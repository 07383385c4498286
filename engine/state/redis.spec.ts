import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../../test/app/redis-server.ts';
import { silentLogger } from '../telemetry/logger.ts';
import { deploymentPod, podAlert } from './__fixtures__/alerts.ts';
import { openRedisStore } from './redis.ts';
import { QueueFull, type StateStore } from './types.ts';

const REPO = 'acme/platform-config';
let redis: RedisServer;
const stores: StateStore[] = [];
let n = 0;
async function open(extra: Partial<Parameters<typeof openRedisStore>[0]> = {}) {
  const s = await openRedisStore({ url: redis.url, log: silentLogger(), prefix: `t${n}`, lockMs: 1000, ...extra });
  stores.push(s);
  return s;
}

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const s of stores) await s.close().catch(() => {});
  await redis?.stop();
});

describe('state/redis', () => {
  it('merges, bounds and consumes the inbox like the embedded store, and survives a Redis kill -9 and restart', async () => {
    n++;
    const s = await open({ bounds: { maxOwners: 2, maxAlertsPerOwner: 3 } });
    const storm = Array.from({ length: 5 }, (_, i) => podAlert(deploymentPod('checkout', i)));
    expect(await s.inbox.enqueue(REPO, [...storm, ...storm])).toEqual({ stored: 3, capped: 4 });
    expect(await s.inbox.enqueue(REPO, [podAlert('cart-0')])).toEqual({ stored: 1, capped: 0 });
    await expect(s.inbox.enqueue(REPO, [podAlert('orders-0')])).rejects.toBeInstanceOf(QueueFull);
    const snap = await s.inbox.snapshot(REPO);
    expect(snap).toHaveLength(4);
    await s.inbox.enqueue(REPO, [podAlert('cart-0', { status: 'resolved' })]);
    await s.inbox.consume(REPO, snap);
    expect((await s.inbox.snapshot(REPO)).map((e) => e.alert.status)).toEqual(['resolved']);

    const { fixturePublish } = await import('../app/__fixtures__/requests.ts');
    const p = fixturePublish();
    await s.pending.hold(REPO, { request: p.request, decision: p.remediation.decision, proofDigest: 'sha256:x' });
    await s.holds.set(REPO, Date.now() + 60_000);
    expect(await s.deliveries.claim(['id:1', 'body:1'])).toBe(true);

    await redis.restart();
    expect(await s.inbox.depth()).toBe(1);
    expect(await s.pending.count()).toBe(1);
    expect(await s.holds.get(REPO, Date.now())).not.toBeNull();
    expect(await s.deliveries.claim(['id:2', 'body:1'])).toBe(false);
    expect(await s.deliveries.claim(['id:2', 'body:2'])).toBe(true);
  });

  it('runs one job per repository at a time across two stores (two replicas), a redelivered id once', async () => {
    n++;
    const a = await open();
    const b = await open();
    let active = 0;
    let most = 0;
    const runs: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const handler = (who: string) => async (job: { repo: string }) => {
      active++;
      most = Math.max(most, active);
      runs.push(`${who}:${job.repo}`);
      if (runs.length === 1) await gate;
      active--;
    };
    a.jobs.start(handler('a'));
    b.jobs.start(handler('b'));
    await a.jobs.schedule(REPO, { id: 'delivery-1' });
    await expect.poll(() => runs.length).toBe(1);
    for (let i = 0; i < 10; i++) await (i % 2 ? a : b).jobs.schedule(REPO);
    await b.jobs.schedule(REPO, { id: 'delivery-1' });
    expect((await a.jobs.counts()).waiting + (await a.jobs.counts()).active).toBeLessThanOrEqual(2);
    release();
    await a.jobs.idle();
    expect(most).toBe(1);
    expect(runs).toHaveLength(2);
  });
});
