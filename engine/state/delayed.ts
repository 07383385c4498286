/**
 * Delayed jobs under a key, owned by exactly one runner: what scheduled follow-ups run on. The
 * embedded store keeps them in their own journal (they survive `kill -9` and run after restart);
 * the Redis store makes each a BullMQ delayed job whose id is the key, so asking twice is one job
 * and a replica killed mid-run has it run again by another once its lock lapses.
 */
export interface DelayedJobs<T> {
  /**
   * Runs `data` under `key` at `at` (now, when past). Inside that key's own run it sets the next
   * step; otherwise it replaces a waiting job (journal) or joins it (Redis: the job already queued
   * under the key wins, so every replica asking for one follow-up makes one job).
   */
  put(key: string, data: T, at: Date): Promise<void>;
  /** Drops the key's waiting job (a running one finishes). */
  cancel(key: string): Promise<void>;
  /** Keys waiting or running, sorted. */
  keys(): Promise<string[]>;
  /** The data of the key's waiting or running job, or null. */
  get(key: string): Promise<T | null>;
  /** Starts running due jobs; a run that throws is retried with back-off. */
  start(run: (data: T, key: string) => Promise<void>): void;
  close(): Promise<void>;
}

export interface DelayedOptions {
  /** The clock `at` is read against (the server's injected clock). */
  now?(): number;
  /** Back-off of a failed run: base and cap (default 5 s, 5 min), and runs before it is dropped (default 20). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  maxAttempts?: number;
}

export function retryDelay(attempt: number, o: DelayedOptions): number {
  const base = o.retryBaseMs ?? 5_000;
  return Math.min(o.retryMaxMs ?? 300_000, base * 2 ** Math.max(0, attempt - 1));
}
