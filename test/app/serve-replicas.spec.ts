/**
 * Several replicas: three `bin/salve serve --queue redis://…` processes on one real Redis, against
 * the same simulated GitHub (each replica's API URL carries its tag, so the test knows which one
 * GitHub is talking to). The same alert delivered to every replica is one PR; a replica killed
 * with SIGKILL mid-job has its job finished by another; Redis killed and restarted loses nothing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld, EXAMPLE_SIGNALS } from '../../engine/demo/setup.ts';
import { type FakeGitHub, startFakeGitHub } from './fake-github.ts';
import { type RedisServer, startRedis } from './redis-server.ts';
import { postAlert, type ServeProcess, serveEnv, startServe, stopAll, whole } from './serve-process.ts';
import { appKey, expectWhole } from './world.ts';

let world: DemoWorld;
let redis: RedisServer;
let fake: FakeGitHub;
const replicas = new Map<string, ServeProcess>();
let hpa: string;
let cpu: string;
let privateKey: string;

async function replica(tag: string): Promise<ServeProcess> {
  const p = await startServe(
    serveEnv(fake, world, privateKey, {
      SALVE_GITHUB_API_URL: `${fake.url}/${tag}`,
      SALVE_REDIS_URL: redis.url,
      SALVE_JOB_LOCK_MS: '2000',
    }),
  );
  replicas.set(tag, p);
  return p;
}

beforeAll(async () => {
  world = await createDemoWorld();
  privateKey = appKey();
  redis = await startRedis();
  fake = await startFakeGitHub({ baseCommit: world.head });
  hpa = await readFile(join(EXAMPLE_SIGNALS, 'hpa-maxed-checkout-staging.json'), 'utf8');
  // A second workload's alert that opens a PR: a lone info-level throttling alert without a metric
  // window is judged on the event alone and only observed, so this one is sent at critical severity.
  cpu = (await readFile(join(EXAMPLE_SIGNALS, 'cpu-throttling-catalog-staging.json'), 'utf8')).replaceAll(
    '"severity": "info"',
    '"severity": "critical"',
  );
  await Promise.all(['r1', 'r2', 'r3'].map(replica));
}, 180_000);

afterAll(async () => {
  await stopAll();
  await fake?.close();
  await redis?.stop();
  await world?.close();
});

const settled = async () => {
  await expect.poll(() => whole(fake), { timeout: 120_000, interval: 250 }).toBe(true);
  const any = [...replicas.values()][0] as ServeProcess;
  await expect
    .poll(
      async () =>
        /salve_queue_depth 0\n[\s\S]*salve_jobs\{state="active"\} 0/.test(
          await (await fetch(`${any.url}/metrics`)).text(),
        ),
      {
        timeout: 120_000,
        interval: 250,
      },
    )
    .toBe(true);
};

describe('app: three replicas on one Redis (real processes)', () => {
  it('the same alert delivered to every replica is one PR', { timeout: 180_000 }, async () => {
    const statuses = await Promise.all([...replicas.values()].map((r) => postAlert(r, hpa)));
    expect(statuses).toEqual([202, 202, 202]);
    await settled();
    expect(fake.pulls).toHaveLength(1);
    expect(fake.writes().filter((w) => /\/pulls$/.test(w))).toHaveLength(1);
  });

  it('a replica killed with SIGKILL mid-job: another finishes it, one whole PR', { timeout: 240_000 }, async () => {
    fake.fault({ method: 'POST', path: /\/pulls$/, hold: 'applied' });
    expect(await postAlert(replicas.get('r1') as ServeProcess, cpu)).toBe(202);
    const held = await fake.held();
    const tag = held.split(' ')[0] as string;
    const victim = replicas.get(tag) as ServeProcess;
    expect(await victim.kill('SIGKILL')).toBe('SIGKILL');
    replicas.delete(tag);
    await settled();
    expect(fake.pulls).toHaveLength(2);
    expectWhole(fake, [...new Set(fake.pulls.map((p) => p.head))]);
    await replica(tag);
  });

  it('Redis killed and restarted under load: the alerts it accepted are not lost', { timeout: 240_000 }, async () => {
    // Branches are named for the workload: the HPA alert's PR is the checkout Deployment's.
    const hpaPull = () => fake.pulls.find((p) => p.head.startsWith('salve/deployment-checkout-'))?.body;
    const before = hpaPull();
    expect(before).toBeDefined();
    // The alert fired again later: a new alert (new start), the same workload.
    const again = hpa.replace('"startsAt": "2025-06-12T09:20:07.553Z"', '"startsAt": "2025-06-12T09:41:00.000Z"');
    expect(again).not.toBe(hpa);
    expect(await postAlert(replicas.get('r2') as ServeProcess, again)).toBe(202);
    await redis.restart();
    await settled();
    expect(fake.pulls).toHaveLength(2);
    expect(hpaPull()).not.toBe(before);
  });
});
