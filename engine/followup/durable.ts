/**
 * Scheduled follow-ups on the state store's delayed jobs (engine/state/delayed.ts): one job per PR
 * key, kept in the embedded journal (survives `kill -9`) or as a BullMQ delayed job (owned by one
 * replica at a time). Each run is one step of the runner; the step's wait is the job's next run.
 */
import type { DelayedJobs } from '../state/delayed.ts';
import { type FollowUpScheduler, followUpKey } from './scheduler.ts';
import type { FollowUpJob } from './types.ts';

export const FOLLOW_UPS = 'followups';

export function durableScheduler(
  jobs: DelayedJobs<FollowUpJob>,
  run: (job: FollowUpJob) => Promise<void>,
): FollowUpScheduler {
  jobs.start((job) => run(job));
  return {
    schedule: (job, at) => jobs.put(followUpKey(job), job, at),
    cancel: (key) => jobs.cancel(key),
    pending: () => jobs.keys(),
    close: () => jobs.close(),
  };
}
