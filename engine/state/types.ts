/**
 * salve serve's state behind one interface: the per-repository inbox of accepted alerts (the
 * queue), remediations held back by caps (pending), per-repository back-off (holds), webhook
 * deliveries already handled, and the jobs that drain the inbox. Two implementations: an embedded
 * append-only journal (one process) and BullMQ over Redis (several replicas).
 */

import type { AlertmanagerAlert } from '../intake/alertmanager-schema.ts';
import { SalveError } from '../model/index.ts';
import type { PublishInput } from '../publish/github/types.ts';
import type { DelayedJobs, DelayedOptions } from './delayed.ts';
import type { JournalStats } from './journal.ts';

/** One alert waiting in a repository's inbox, under its owner (cluster/namespace/kind/name). */
export interface InboxEntry {
  owner: string;
  /** The alert's identity: Alertmanager fingerprint and start (perception's signal id). */
  id: string;
  alert: AlertmanagerAlert;
  /** Digest of the stored alert: `consume` removes an entry only if it did not change since. */
  version: string;
}

export interface EnqueueResult {
  /** Alerts stored (new, or replacing the same alert's older copy). */
  stored: number;
  /** Alerts not stored because their owner already holds the most alerts it may; the owner is queued. */
  capped: number;
}

export interface InboxBounds {
  /** Distinct owners (incidents) waiting per repository; a new owner beyond it is refused. */
  maxOwners: number;
  /** Distinct alerts kept per owner; more are counted and dropped (the owner stays queued). */
  maxAlertsPerOwner: number;
}

export const DEFAULT_BOUNDS: InboxBounds = { maxOwners: 1000, maxAlertsPerOwner: 200 };

export interface Inbox {
  /** Stores alerts durably (resolves once a crash could not lose them). All or none: QueueFull refuses all. */
  enqueue(repo: string, alerts: readonly AlertmanagerAlert[]): Promise<EnqueueResult>;
  /** What waits for `repo`, oldest owner first. */
  snapshot(repo: string): Promise<InboxEntry[]>;
  /** Removes entries a run handled, unless they changed since its snapshot. */
  consume(repo: string, entries: readonly InboxEntry[]): Promise<void>;
  /** Repositories with alerts waiting. */
  repos(): Promise<string[]>;
  /** Alerts waiting over all repositories. */
  depth(): Promise<number>;
}

/** Remediations held back by caps, retried on the repository's next run and by the follow-up sweep. */
export interface PendingStore {
  hold(repo: string, input: PublishInput): Promise<void>;
  release(repo: string, id: string): Promise<void>;
  list(repo: string): Promise<PublishInput[]>;
  repos(): Promise<string[]>;
  count(): Promise<number>;
}

/** A repository whose run failed waits out its back-off (or GitHub's Retry-After), across restarts and replicas. */
export interface Holds {
  set(repo: string, untilMs: number): Promise<void>;
  /** The hold's end (epoch ms), or null when the repository is not held. */
  get(repo: string, nowMs: number): Promise<number | null>;
  clear(repo: string): Promise<void>;
}

/** Which webhook deliveries were already accepted. */
export interface DeliveryLog {
  /** True the first time any of `keys` is seen (and records them all); false for a replay. */
  claim(keys: readonly string[]): Promise<boolean>;
}

export interface JobRequest {
  /** A stable id (a GitHub delivery id): asking twice with one id is one job. */
  id?: string;
  delayMs?: number;
  /** W3C trace context of whoever asked (the webhook's span), carried to the run. */
  trace?: Record<string, string>;
  /** Run the planner even when no alert waits (the cluster intake: its signals come from the feed). */
  plan?: boolean;
}

export interface JobInfo {
  repo: string;
  attempt: number;
  trace: Record<string, string>;
  plan: boolean;
}

export type JobHandler = (job: JobInfo) => Promise<void>;

/** Runs a repository's inbox: at most one run per repository at a time, across every replica. */
export interface Sweep {
  everyMs: number;
  /** Schedules every repository with waiting or pending work (runs once at start, then every `everyMs`). */
  run(): Promise<void>;
}

export interface Jobs {
  /** Starts running jobs; `sweep` is the scheduled follow-up, run by exactly one replica each time. */
  start(handler: JobHandler, sweep?: Sweep): void;
  schedule(repo: string, request?: JobRequest): Promise<void>;
  /** Jobs queued or running (for the queue-depth gauge). */
  counts(): Promise<{ waiting: number; active: number; delayed: number }>;
  /** Resolves when no job is queued or running (tests). */
  idle(): Promise<void>;
  /** Stops taking jobs; waits up to `graceMs` for running ones, then hands them back. */
  stop(graceMs: number): Promise<{ finished: number; handedBack: number }>;
}

export interface StateStore {
  readonly kind: 'journal' | 'redis';
  readonly inbox: Inbox;
  readonly pending: PendingStore;
  readonly holds: Holds;
  readonly deliveries: DeliveryLog;
  readonly jobs: Jobs;
  /** Delayed jobs by key under `name` (a lowercase word), kept like the rest of the state (scheduled follow-ups). */
  delayed<T>(name: string, opts?: DelayedOptions): Promise<DelayedJobs<T>>;
  /** The embedded journal's counters and the seconds its syncs took (absent on Redis). */
  journalStats?(): JournalStats & { syncSeconds: number };
  close(): Promise<void>;
}

export function delayedName(name: string): string {
  if (!/^[a-z][a-z-]{0,30}$/.test(name)) throw new StateError(`delayed jobs: bad name ${JSON.stringify(name)}`);
  return name;
}

/** The inbox refuses a new owner: the sender should retry later (HTTP 503). */
export class QueueFull extends SalveError {
  constructor(message: string) {
    super('queue-full', message);
  }
}

/** The store cannot be used (a second process on one journal, a corrupt journal). */
export class StateError extends SalveError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'state-error', message, options);
  }
}
