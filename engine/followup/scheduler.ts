/**
 * Scheduled follow-ups. `salve serve` backs the interface with its state store (durable.ts: a job
 * per PR, owned by exactly one replica, surviving restarts); the timer implementation here serves a
 * single process that keeps nothing, whose jobs GitHub rebuilds on restart (the runner's recover).
 */
import type { FollowUpJob } from './types.ts';

export function followUpKey(job: Pick<FollowUpJob, 'repo' | 'pull'>): string {
  return `${job.repo.owner}/${job.repo.repo}#${job.pull}`.toLowerCase();
}

export interface FollowUpScheduler {
  /** Runs `job` at `at` (or now, when past); replaces any job with the same key. */
  schedule(job: FollowUpJob, at: Date): Promise<void>;
  cancel(key: string): Promise<void>;
  /** Keys of the jobs waiting, sorted. */
  pending(): Promise<string[]>;
  close(): Promise<void>;
}

export interface TimerSchedulerOptions {
  run(job: FollowUpJob): Promise<void>;
  now(): Date;
  onError(err: unknown, job: FollowUpJob): void;
  /** Longest single timer (Node caps timers at about 24.8 days); later jobs re-arm. */
  maxDelayMs?: number;
}

export function createTimerScheduler(opts: TimerSchedulerOptions): FollowUpScheduler {
  const timers = new Map<string, NodeJS.Timeout>();
  const max = opts.maxDelayMs ?? 6 * 3_600_000;
  let closed = false;
  const arm = (job: FollowUpJob, at: Date) => {
    const key = followUpKey(job);
    clearTimeout(timers.get(key));
    const delay = Math.max(0, at.getTime() - opts.now().getTime());
    const timer = setTimeout(
      () => {
        if (delay > max) return arm(job, at);
        timers.delete(key);
        if (closed) return;
        opts.run(job).catch((err) => opts.onError(err, job));
      },
      Math.min(delay, max),
    );
    timer.unref();
    timers.set(key, timer);
  };
  return {
    async schedule(job, at) {
      if (!closed) arm(job, at);
    },
    async cancel(key) {
      clearTimeout(timers.get(key));
      timers.delete(key);
    },
    async pending() {
      return [...timers.keys()].sort();
    },
    async close() {
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
