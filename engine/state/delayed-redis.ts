/**
 * Delayed jobs on BullMQ, for several replicas: the job id is the key, so every replica asking for
 * one key makes one job (a finished one is kept a week, so a late redelivery does not start it
 * again), and one worker at a time holds it. A replica killed mid-run stops renewing its lock; after
 * `lockMs` another replica's stalled-job check takes the job over and runs it. A run's next step
 * (a put under its own key) moves the same job back to delayed with the new data.
 */
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../telemetry/logger.ts';
import { type DelayedJobs, type DelayedOptions, retryDelay } from './delayed.ts';

export interface BullDelayedOptions extends DelayedOptions {
  url: string;
  /** BullMQ key prefix (the store's, `…:bull`). */
  prefix: string;
  log: Logger;
  lockMs?: number;
}

type Data<T> = { key: string; data: T };
const WEEK_S = 7 * 86_400;

/** A BullMQ job id from a key (no `:`; ids that look like integers are refused by BullMQ). */
export const jobIdOf = (key: string) => `k-${key.replace(/[^A-Za-z0-9_.#/-]/g, '_')}`;

export function openBullDelayed<T>(name: string, o: BullDelayedOptions): DelayedJobs<T> {
  const connections: Redis[] = [];
  const connect = () => {
    const c = new Redis(o.url, { maxRetriesPerRequest: null });
    c.on('error', () => {});
    connections.push(c);
    return c;
  };
  const queue = new Queue<Data<T>>(name, { connection: connect(), prefix: o.prefix });
  queue.on('error', () => {});
  const now = o.now ?? Date.now;
  /** Keys this replica runs now, with the next step their run asked for. */
  const running = new Map<string, { next: { data: T; at: number } | null }>();
  let worker: Worker<Data<T>> | null = null;

  return {
    async put(key, data, at) {
      const mine = running.get(key);
      if (mine) {
        mine.next = { data, at: at.getTime() };
        return;
      }
      await queue.add(
        'run',
        { key, data },
        {
          jobId: jobIdOf(key),
          delay: Math.max(0, at.getTime() - now()),
          attempts: o.maxAttempts ?? 20,
          backoff: { type: 'custom' },
          removeOnComplete: { age: WEEK_S },
          removeOnFail: true,
        },
      );
    },
    async cancel(key) {
      const job = await queue.getJob(jobIdOf(key));
      if (!job) return;
      if (await job.isActive()) {
        o.log.info({ key }, 'scheduled job is running; it finishes, then stops');
        return;
      }
      if (!(await job.isCompleted())) await job.remove();
    },
    async get(key) {
      const mine = running.get(key);
      if (mine?.next) return mine.next.data;
      const job = await queue.getJob(jobIdOf(key));
      if (!job || (await job.isCompleted())) return null;
      return job.data.data;
    },
    async keys() {
      const jobs = await queue.getJobs(['delayed', 'waiting', 'active', 'prioritized']);
      return [...new Set(jobs.filter(Boolean).map((j) => j.data.key))].sort();
    },
    start(run) {
      const lockMs = o.lockMs ?? 30_000;
      worker = new Worker<Data<T>>(
        name,
        async (job: Job<Data<T>>, token?: string) => {
          const slot = { next: null as { data: T; at: number } | null };
          running.set(job.data.key, slot);
          try {
            await run(job.data.data, job.data.key);
          } finally {
            running.delete(job.data.key);
          }
          if (!slot.next) return;
          await job.updateData({ key: job.data.key, data: slot.next.data });
          await job.moveToDelayed(Math.max(Date.now(), Date.now() + (slot.next.at - now())), token);
          throw new DelayedError();
        },
        {
          connection: connect(),
          prefix: o.prefix,
          concurrency: 4,
          lockDuration: lockMs,
          stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
          maxStalledCount: 100,
          settings: { backoffStrategy: (attemptsMade: number) => retryDelay(attemptsMade, o) },
        },
      );
      worker.on('error', (err) => o.log.warn({ err: { message: err.message } }, 'scheduled job worker error'));
      worker.on('failed', (job, err) => {
        if (!job) return;
        const last = job.attemptsMade >= (job.opts.attempts ?? 1);
        if (last) o.log.error({ err, key: job.data.key }, 'scheduled job keeps failing; dropped');
        else o.log.warn({ err, key: job.data.key, attempt: job.attemptsMade }, 'scheduled job failed; retrying');
      });
    },
    async close() {
      await worker?.close(true).catch(() => {});
      await queue.close().catch(() => {});
      for (const c of connections) c.disconnect();
    },
  };
}
