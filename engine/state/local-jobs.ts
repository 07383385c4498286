/**
 * Jobs in one process: at most one run per repository at a time, repositories in parallel up to
 * a limit, a request that arrives during a run asks for one more run after it (a storm costs two
 * runs, not hundreds). A failed run holds its repository for a back-off and runs again; the hold
 * is durable, so a restart honours it. Nothing here needs persisting: the work is the inbox and
 * the pending list, which are, and a restart schedules every repository that has some.
 */
import type { Logger } from '../telemetry/logger.ts';
import { type BackoffOptions, backoffMs, DEFAULT_BACKOFF } from './backoff.ts';
import { getOrMake } from './memory-inbox.ts';
import type { Holds, JobHandler, JobInfo, JobRequest, Jobs, Sweep } from './types.ts';

interface Slot {
  running: boolean;
  again: boolean;
  timer: NodeJS.Timeout | null;
  attempt: number;
  trace: Record<string, string>;
  plan: boolean;
}

export interface LocalJobsOptions {
  holds: Holds;
  log: Logger;
  concurrency?: number;
  backoff?: BackoffOptions;
  /** Failed runs in a row before a repository waits for new work or the sweep (default 10). */
  maxAttempts?: number;
}

export class LocalJobs implements Jobs {
  private handler: JobHandler | null = null;
  private readonly slots = new Map<string, Slot>();
  private readonly ready: string[] = [];
  private active = 0;
  private stopping = false;
  private waiters: Array<() => void> = [];
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly opts: LocalJobsOptions) {}

  private sweepTimer: NodeJS.Timeout | null = null;

  start(handler: JobHandler, sweep?: Sweep): void {
    this.handler = handler;
    if (sweep) {
      const run = () => sweep.run().catch((err: unknown) => this.opts.log.error({ err }, 'follow-up sweep failed'));
      void run();
      this.sweepTimer = setInterval(run, sweep.everyMs);
      this.sweepTimer.unref();
    }
    this.pump();
  }

  async schedule(repo: string, req: JobRequest = {}): Promise<void> {
    if (this.stopping) return;
    const slot = this.slot(repo);
    if (req.trace) slot.trace = req.trace;
    if (req.plan) slot.plan = true;
    if (slot.running) {
      slot.again = true;
      return;
    }
    if (req.delayMs && req.delayMs > 0) {
      if (!slot.timer && !this.ready.includes(repo)) this.later(repo, slot, req.delayMs);
      return;
    }
    if (slot.timer) {
      clearTimeout(slot.timer);
      slot.timer = null;
    }
    if (!this.ready.includes(repo)) this.ready.push(repo);
    this.pump();
  }

  async counts() {
    let delayed = 0;
    for (const s of this.slots.values()) if (s.timer) delayed++;
    return { waiting: this.ready.length, active: this.active, delayed };
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  async stop(graceMs: number): Promise<{ finished: number; handedBack: number }> {
    this.stopping = true;
    this.ready.length = 0;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const s of this.slots.values()) if (s.timer) clearTimeout(s.timer);
    const inFlight = [...this.running];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), graceMs);
    });
    let finished = 0;
    await Promise.race([Promise.all(inFlight.map((p) => p.then(() => finished++))), timedOut]);
    clearTimeout(timer);
    return { finished, handedBack: inFlight.length - finished };
  }

  private slot(repo: string): Slot {
    return getOrMake(this.slots, repo, () => ({
      running: false,
      again: false,
      timer: null,
      attempt: 0,
      trace: {},
      plan: false,
    }));
  }

  private later(repo: string, slot: Slot, ms: number): void {
    slot.timer = setTimeout(() => {
      slot.timer = null;
      void this.schedule(repo);
    }, ms);
    slot.timer.unref?.();
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 4;
    while (this.handler && !this.stopping && this.active < limit && this.ready.length > 0) {
      const repo = this.ready.shift() as string;
      const run = this.run(repo, this.handler);
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }
    if (this.isIdle()) {
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }

  private async run(repo: string, handler: JobHandler): Promise<void> {
    const slot = this.slot(repo);
    slot.running = true;
    this.active++;
    try {
      const held = await this.opts.holds.get(repo, Date.now());
      if (held !== null) {
        slot.again = false;
        this.later(repo, slot, held - Date.now());
        return;
      }
      const job: JobInfo = { repo, attempt: slot.attempt + 1, trace: slot.trace, plan: slot.plan };
      slot.plan = false;
      try {
        await handler(job);
        if (slot.attempt > 0) await this.opts.holds.clear(repo);
        slot.attempt = 0;
      } catch (err) {
        // Stopping: the run was handed back; its inbox is still there for the next start.
        if (this.stopping) return;
        slot.attempt++;
        const max = this.opts.maxAttempts ?? 10;
        if (slot.attempt >= max) {
          this.opts.log.error(
            { err, repo, attempts: slot.attempt },
            'repository run keeps failing; its inbox waits for new work',
          );
          slot.attempt = 0;
          slot.again = false;
          return;
        }
        const wait = backoffMs(slot.attempt, err, Date.now(), this.opts.backoff ?? DEFAULT_BACKOFF);
        await this.opts.holds.set(repo, Date.now() + wait);
        this.opts.log.warn({ err, repo, attempt: slot.attempt, retryInMs: wait }, 'repository run failed; retrying');
        slot.again = false;
        if (!this.stopping) this.later(repo, slot, wait);
      }
    } finally {
      slot.running = false;
      this.active--;
      if (slot.again && !this.stopping) {
        slot.again = false;
        if (!slot.timer && !this.ready.includes(repo)) this.ready.push(repo);
      }
      this.pump();
    }
  }

  private isIdle(): boolean {
    if (this.active > 0 || this.ready.length > 0) return false;
    for (const s of this.slots.values()) if (s.timer) return false;
    return true;
  }
}
