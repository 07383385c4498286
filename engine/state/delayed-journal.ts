/**
 * Delayed jobs in one process, journaled: every put and every finished run is synced before it
 * counts, so a job scheduled before a `kill -9` runs after the restart, and one that finished does
 * not run again. A run that throws is put back with back-off (durably), and dropped with an error
 * after `maxAttempts` (the follow-up is then found again on GitHub at the next start).
 */
import type { Logger } from '../telemetry/logger.ts';
import { type DelayedJobs, type DelayedOptions, retryDelay } from './delayed.ts';
import { Journal, type JournalRecord } from './journal.ts';

interface Entry {
  data: unknown;
  at: number;
  /** Bumped by every put: a run deletes its entry only if nothing replaced it meanwhile. */
  v: number;
  attempt: number;
}

/** Node caps a timer at about 24.8 days; a later job re-arms. */
const MAX_TIMER_MS = 6 * 3_600_000;

export async function openJournalDelayed<T>(
  dir: string,
  log: Logger,
  opts: DelayedOptions = {},
): Promise<DelayedJobs<T>> {
  const entries = new Map<string, Entry>();
  let version = 0;
  const apply = (r: JournalRecord) => {
    const key = r.k as string;
    version = Math.max(version, Number(r.v));
    if (r.t === 'put') entries.set(key, { data: r.d, at: r.a as number, v: r.v as number, attempt: r.n as number });
    else if (r.t === 'del' && entries.get(key)?.v === r.v) entries.delete(key);
  };
  const dump = () =>
    [...entries].map(([k, e]): JournalRecord => ({ t: 'put', k, d: e.data, a: e.at, v: e.v, n: e.attempt }));
  const journal = await Journal.open(dir, apply, dump);
  const now = opts.now ?? Date.now;
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Set<string>();
  let run: ((data: T, key: string) => Promise<void>) | null = null;
  let closed = false;

  const write = async (r: JournalRecord) => {
    apply(r);
    await journal.append([r]);
  };
  const arm = (key: string) => {
    clearTimeout(timers.get(key));
    timers.delete(key);
    const e = entries.get(key);
    if (!e || !run || closed || running.has(key)) return;
    const delay = Math.max(0, e.at - now());
    const timer = setTimeout(() => (delay > MAX_TIMER_MS ? arm(key) : void fire(key)), Math.min(delay, MAX_TIMER_MS));
    timer.unref();
    timers.set(key, timer);
  };
  const fire = async (key: string) => {
    timers.delete(key);
    const e = entries.get(key);
    if (!e || !run || closed) return;
    running.add(key);
    try {
      await run(e.data as T, key);
      if (entries.get(key)?.v === e.v) await write({ t: 'del', k: key, v: e.v });
    } catch (err) {
      if (closed || entries.get(key)?.v !== e.v) return;
      const attempt = e.attempt + 1;
      if (attempt >= (opts.maxAttempts ?? 20)) {
        log.error({ err, key, attempts: attempt }, 'scheduled job keeps failing; dropped');
        await write({ t: 'del', k: key, v: e.v }).catch(() => {});
        return;
      }
      const at = now() + retryDelay(attempt, opts);
      log.warn({ err, key, attempt, retryAt: new Date(at).toISOString() }, 'scheduled job failed; retrying');
      await write({ t: 'put', k: key, d: e.data, a: at, v: ++version, n: attempt }).catch((e2: unknown) =>
        log.error({ err: e2, key }, 'scheduled job retry not kept'),
      );
    } finally {
      running.delete(key);
      arm(key);
    }
  };

  return {
    async put(key, data, at) {
      await write({ t: 'put', k: key, d: data, a: at.getTime(), v: ++version, n: 0 });
      arm(key);
    },
    async cancel(key) {
      const e = entries.get(key);
      clearTimeout(timers.get(key));
      timers.delete(key);
      if (e) await write({ t: 'del', k: key, v: e.v });
    },
    async keys() {
      return [...entries.keys()].sort();
    },
    async get(key) {
      return (entries.get(key)?.data as T | undefined) ?? null;
    },
    start(fn) {
      run = fn;
      for (const key of entries.keys()) arm(key);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await journal.close();
    },
  };
}
