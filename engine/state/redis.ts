/**
 * The Redis store for several replicas: the inbox, pending list, holds and delivery ids in Redis
 * (atomic scripts), jobs on BullMQ. A job is "run this repository's inbox": its id is the GitHub
 * delivery id when a webhook asked for it (a redelivery is a no-op), and deduplication by
 * repository with keepLastIfActive keeps at most one queued and one running job per repository
 * across every replica, so pushes to one repository never race. A replica killed mid-job loses its
 * lock; after `lockMs` another replica takes the job over (the inbox is consumed only on success).
 * The follow-up sweep is a BullMQ job scheduler: each tick is one job, run by one replica.
 */
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { AlertmanagerAlert } from '../intake/alertmanager-schema.ts';
import type { PublishInput } from '../publish/github/types.ts';
import type { Logger } from '../telemetry/logger.ts';
import { type BackoffOptions, backoffMs, DEFAULT_BACKOFF } from './backoff.ts';
import type { DelayedJobs } from './delayed.ts';
import { openBullDelayed } from './delayed-redis.ts';
import { toEntry } from './entries.ts';
import { CLAIM, CONSUME, ENQUEUE } from './redis-scripts.ts';
import {
  DEFAULT_BOUNDS,
  delayedName,
  type InboxBounds,
  type InboxEntry,
  type JobHandler,
  type JobRequest,
  type Jobs,
  QueueFull,
  StateError,
  type StateStore,
  type Sweep,
} from './types.ts';

export interface RedisStoreOptions {
  url: string;
  log: Logger;
  bounds?: InboxBounds;
  backoff?: BackoffOptions;
  /** A running job's lock; a killed replica's job moves to another after it (default 30 s). */
  lockMs?: number;
  concurrency?: number;
  /** Failed runs of one job before it gives up (its inbox stays for the sweep; default 10). */
  maxAttempts?: number;
  /** Key prefix (default `salve`); tests use one per run. */
  prefix?: string;
  deliveryTtlMs?: number;
}

/** With deduplication the newest data wins; `plan` may then be lost, but every run plans when alerts wait. */
type Data = { repo: string; trace: Record<string, string>; plan?: boolean };

const fieldOf = (e: Pick<InboxEntry, 'owner' | 'id'>) => `${e.owner}\n${e.id}`;

/** Redis errors become StateError (the intake answers 503: Alertmanager retries). */
async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof QueueFull || err instanceof StateError) throw err;
    throw new StateError(`redis: ${what} failed: ${(err as Error).message}`, { cause: err, code: 'state-unavailable' });
  }
}

export async function openRedisStore(opts: RedisStoreOptions): Promise<StateStore> {
  const prefix = opts.prefix ?? 'salve';
  const k = (...parts: string[]) => [prefix, ...parts].join(':');
  const redis = new Redis(opts.url, { maxRetriesPerRequest: 3, enableOfflineQueue: true, lazyConnect: true });
  redis.on('error', (err) => opts.log.warn({ err: { message: err.message } }, 'redis connection error'));
  await guarded('connect', () => redis.connect());
  await warnWithoutAof(redis, opts.log);
  const bounds = opts.bounds ?? DEFAULT_BOUNDS;
  const ttl = opts.deliveryTtlMs ?? 3 * 86_400_000;
  const repoKeys = (repo: string) => [k('inbox', repo), k('owners', repo), k('repos')];

  const inbox: StateStore['inbox'] = {
    enqueue: (repo: string, alerts: readonly AlertmanagerAlert[]) =>
      guarded('enqueue', async () => {
        const args = alerts.flatMap((a) => {
          const e = toEntry(a);
          return [e.owner, fieldOf(e), e.version, `${e.version}\t${JSON.stringify(e)}`];
        });
        const [stored, capped] = (await redis.eval(
          ENQUEUE,
          3,
          ...repoKeys(repo),
          repo,
          bounds.maxOwners,
          bounds.maxAlertsPerOwner,
          ...args,
        )) as [number, number];
        if (stored === -1) {
          throw new QueueFull(`${repo}: ${capped} workloads already wait (at most ${bounds.maxOwners}); retry later`);
        }
        return { stored, capped };
      }),
    snapshot: (repo) =>
      guarded('snapshot', async () => {
        const all = await redis.hgetall(k('inbox', repo));
        return Object.values(all).map((v) => JSON.parse(v.slice(v.indexOf('\t') + 1)) as InboxEntry);
      }),
    consume: (repo, entries) =>
      guarded('consume', async () => {
        if (entries.length === 0) return;
        const args = entries.flatMap((e) => [e.owner, fieldOf(e), e.version]);
        await redis.eval(CONSUME, 3, ...repoKeys(repo), repo, ...args);
      }),
    repos: () => guarded('repos', () => redis.smembers(k('repos'))),
    depth: () =>
      guarded('depth', async () => {
        let n = 0;
        for (const repo of await redis.smembers(k('repos'))) n += await redis.hlen(k('inbox', repo));
        return n;
      }),
  };

  const pending: StateStore['pending'] = {
    hold: (repo, input) =>
      guarded('pending', async () => {
        await redis
          .multi()
          .hset(k('pending', repo), input.request.id, JSON.stringify(input))
          .sadd(k('pending-repos'), repo)
          .exec();
      }),
    release: (repo, id) =>
      guarded('pending', async () => {
        await redis.hdel(k('pending', repo), id);
        if ((await redis.hlen(k('pending', repo))) === 0) await redis.srem(k('pending-repos'), repo);
      }),
    list: (repo) =>
      guarded('pending', async () =>
        Object.values(await redis.hgetall(k('pending', repo))).map((v) => JSON.parse(v) as PublishInput),
      ),
    repos: () => guarded('pending', () => redis.smembers(k('pending-repos'))),
    count: () =>
      guarded('pending', async () => {
        let n = 0;
        for (const repo of await redis.smembers(k('pending-repos'))) n += await redis.hlen(k('pending', repo));
        return n;
      }),
  };

  const holds: StateStore['holds'] = {
    set: (repo, untilMs) =>
      guarded('hold', async () => {
        await redis.set(k('hold', repo), String(untilMs), 'PX', Math.max(1, untilMs - Date.now()));
      }),
    get: (repo, nowMs) =>
      guarded('hold', async () => {
        const v = Number(await redis.get(k('hold', repo)));
        return v > nowMs ? v : null;
      }),
    clear: (repo) =>
      guarded('hold', async () => {
        await redis.del(k('hold', repo));
      }),
  };

  const deliveries: StateStore['deliveries'] = {
    claim: (keys) =>
      guarded('deliveries', async () => {
        const r = await redis.eval(CLAIM, keys.length, ...keys.map((x) => k('delivery', x)), ttl);
        return r === 1;
      }),
  };

  const jobs = new BullJobs(opts, prefix, holds);
  const delayed: Array<DelayedJobs<unknown>> = [];
  return {
    kind: 'redis',
    inbox,
    pending,
    holds,
    deliveries,
    jobs,
    async delayed<T>(name: string, o = {}) {
      const d = openBullDelayed<T>(delayedName(name), {
        url: opts.url,
        prefix: `${prefix}:bull`,
        log: opts.log,
        ...(opts.lockMs ? { lockMs: opts.lockMs } : {}),
        ...o,
      });
      delayed.push(d as DelayedJobs<unknown>);
      return d;
    },
    async close() {
      await Promise.all(delayed.map((d) => d.close()));
      await jobs.close();
      redis.disconnect();
    },
  };
}

async function warnWithoutAof(redis: Redis, log: Logger): Promise<void> {
  try {
    const [, aof] = (await redis.config('GET', 'appendonly')) as [string, string];
    if (aof !== 'yes')
      log.warn({ appendonly: aof }, 'redis runs without appendonly: a Redis crash can lose accepted alerts');
  } catch {
    // Managed Redis often forbids CONFIG; nothing to say then.
  }
}

class BullJobs implements Jobs {
  private readonly connection: Redis;
  private readonly queue: Queue<Data>;
  private readonly sweeps: Queue;
  private workers: Worker[] = [];
  private readonly connections: Redis[] = [];
  private readonly active = new Set<string>();

  constructor(
    private readonly opts: RedisStoreOptions,
    private readonly prefix: string,
    private readonly holds: StateStore['holds'],
  ) {
    this.connection = this.connect();
    this.queue = new Queue<Data>('repos', { connection: this.connection, prefix: `${prefix}:bull` });
    this.sweeps = new Queue('sweep', { connection: this.connection, prefix: `${prefix}:bull` });
    // Connection errors while Redis restarts: ioredis reconnects; the log says so once per connection.
    this.queue.on('error', () => {});
    this.sweeps.on('error', () => {});
  }

  /** A connection for BullMQ (blocking commands wait for Redis to come back instead of failing). */
  private connect(): Redis {
    const c = new Redis(this.opts.url, { maxRetriesPerRequest: null });
    c.on('error', () => {});
    this.connections.push(c);
    return c;
  }

  start(handler: JobHandler, sweep?: Sweep): void {
    const lockMs = this.opts.lockMs ?? 30_000;
    const backoff = this.opts.backoff ?? DEFAULT_BACKOFF;
    const worker = new Worker<Data>(
      'repos',
      async (job: Job<Data>, token?: string) => {
        const { repo, trace } = job.data;
        const plan = job.data.plan === true;
        const held = await this.holds.get(repo, Date.now());
        if (held !== null) {
          await job.moveToDelayed(held, token);
          throw new DelayedError();
        }
        this.active.add(job.id ?? repo);
        try {
          await handler({ repo, attempt: job.attemptsMade + 1, trace, plan });
          await this.holds.clear(repo);
        } catch (err) {
          const wait = backoffMs(job.attemptsMade + 1, err, Date.now(), backoff);
          await this.holds.set(repo, Date.now() + wait).catch(() => {});
          this.opts.log.warn(
            { err, repo, attempt: job.attemptsMade + 1, retryInMs: wait },
            'repository run failed; retrying',
          );
          throw err;
        } finally {
          this.active.delete(job.id ?? repo);
        }
      },
      {
        connection: this.connect(),
        prefix: `${this.prefix}:bull`,
        concurrency: this.opts.concurrency ?? 4,
        lockDuration: lockMs,
        stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
        maxStalledCount: 100,
        settings: {
          backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
            backoffMs(attemptsMade, err, Date.now(), backoff),
        },
      },
    );
    worker.on('error', (err) => this.opts.log.warn({ err: { message: err.message } }, 'job worker error'));
    worker.on('failed', (job, err) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
        this.opts.log.error(
          { err, repo: job.data.repo },
          'repository run keeps failing; its inbox waits for the sweep',
        );
    });
    this.workers.push(worker);
    if (sweep) {
      void sweep.run().catch((err: unknown) => this.opts.log.error({ err }, 'follow-up sweep failed'));
      const sweeper = new Worker('sweep', () => sweep.run(), {
        connection: this.connect(),
        prefix: `${this.prefix}:bull`,
        concurrency: 1,
      });
      sweeper.on('error', () => {});
      this.workers.push(sweeper);
      void this.sweeps
        .upsertJobScheduler('follow-up-sweep', { every: sweep.everyMs }, { name: 'sweep' })
        .catch((err: unknown) => this.opts.log.warn({ err }, 'could not schedule the follow-up sweep'));
    }
  }

  async schedule(repo: string, req: JobRequest = {}): Promise<void> {
    await guarded('schedule', () =>
      this.queue.add(
        'run',
        { repo, trace: req.trace ?? {}, ...(req.plan ? { plan: true } : {}) },
        {
          ...(req.id ? { jobId: `gh-${req.id.replace(/[^A-Za-z0-9_-]/g, '_')}` } : {}),
          ...(req.delayMs ? { delay: req.delayMs } : {}),
          deduplication: { id: repo, keepLastIfActive: true },
          attempts: this.opts.maxAttempts ?? 10,
          backoff: { type: 'custom' },
          removeOnComplete: { count: 1000 },
          removeOnFail: { count: 1000 },
        },
      ),
    );
  }

  async counts() {
    const c = await guarded('counts', () => this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'));
    return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0 };
  }

  async idle(): Promise<void> {
    for (;;) {
      const c = await this.counts();
      if (c.waiting + c.active + c.delayed === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(graceMs: number): Promise<{ finished: number; handedBack: number }> {
    const running = this.active.size;
    let timer: NodeJS.Timeout | undefined;
    const graceful = Promise.all(this.workers.map((w) => w.close())).then(() => 'done' as const);
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), graceMs);
    });
    const how = await Promise.race([graceful, timeout]);
    clearTimeout(timer);
    if (how === 'timeout') {
      const left = this.active.size;
      await Promise.all(this.workers.map((w) => w.close(true)));
      return { finished: running - left, handedBack: left };
    }
    return { finished: running, handedBack: 0 };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close(true).catch(() => {})));
    await this.queue.close();
    await this.sweeps.close();
    for (const c of this.connections) c.disconnect();
  }
}
