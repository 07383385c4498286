/**
 * The embedded store: the whole state in memory, every change journaled (and synced) before it is
 * acknowledged, replayed on start. One process per state directory.
 */

import { join } from 'node:path';
import type { AlertmanagerAlert } from '../intake/alertmanager-schema.ts';
import type { PublishInput } from '../publish/github/types.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { BackoffOptions } from './backoff.ts';
import type { DelayedJobs } from './delayed.ts';
import { openJournalDelayed } from './delayed-journal.ts';
import { Journal, type JournalRecord } from './journal.ts';
import { LocalJobs } from './local-jobs.ts';
import {
  applyDelete,
  applyPut,
  countEntries,
  entriesOf,
  getOrMake,
  type InboxMap,
  planEnqueue,
} from './memory-inbox.ts';
import {
  DEFAULT_BOUNDS,
  type DeliveryLog,
  delayedName,
  type Holds,
  type Inbox,
  type InboxBounds,
  type InboxEntry,
  type PendingStore,
  type StateStore,
} from './types.ts';

export interface EmbeddedOptions {
  dir: string;
  log: Logger;
  bounds?: InboxBounds;
  backoff?: BackoffOptions;
  concurrency?: number;
  /** Delivery keys remembered (default 20,000) and for how long (default 3 days). */
  deliveries?: { max?: number; ttlMs?: number };
  maxPendingPerRepo?: number;
  compactBytes?: number;
}

interface Memory {
  inbox: InboxMap;
  pending: Map<string, Map<string, PublishInput>>;
  holds: Map<string, number>;
  seen: Map<string, number>;
}

function applyRecord(m: Memory, r: JournalRecord): void {
  const repo = r.r as string;
  switch (r.t) {
    case 'put':
      applyPut(m.inbox, repo, r.e as InboxEntry);
      break;
    case 'del':
      applyDelete(m.inbox, repo, r.o as string, r.i as string, r.v as string);
      break;
    case 'pend': {
      const p = r.p as PublishInput;
      getOrMake(m.pending, repo, () => new Map<string, PublishInput>()).set(p.request.id, p);
      break;
    }
    case 'unpend':
      m.pending.get(repo)?.delete(r.i as string);
      if (m.pending.get(repo)?.size === 0) m.pending.delete(repo);
      break;
    case 'hold':
      m.holds.set(repo, r.u as number);
      break;
    case 'unhold':
      m.holds.delete(repo);
      break;
    case 'seen':
      m.seen.delete(r.k as string);
      m.seen.set(r.k as string, r.x as number);
      break;
  }
}

function dumpRecords(m: Memory): JournalRecord[] {
  const out: JournalRecord[] = [];
  for (const [r, owners] of m.inbox)
    for (const alerts of owners.values()) for (const e of alerts.values()) out.push({ t: 'put', r, e });
  for (const [r, list] of m.pending) for (const p of list.values()) out.push({ t: 'pend', r, p });
  for (const [r, u] of m.holds) out.push({ t: 'hold', r, u });
  const now = Date.now();
  for (const [k, x] of m.seen) if (x > now) out.push({ t: 'seen', k, x });
  return out;
}

export async function openEmbeddedStore(opts: EmbeddedOptions): Promise<StateStore> {
  const m: Memory = { inbox: new Map(), pending: new Map(), holds: new Map(), seen: new Map() };
  // Zeros written 1 MiB ahead of the records: an intake sync flushes data only. Up to four
  // batches sync at once (libuv's thread pool holds four threads): a batch formed while two syncs
  // are slow starts its own instead of waiting for a slot, and concurrent fdatasyncs of one file
  // overlap on the disk (2 at once: 3,300-8,200 syncs/s here, 4: 6,700-9,400).
  const journal = await Journal.open(
    opts.dir,
    (r) => applyRecord(m, r),
    () => dumpRecords(m),
    {
      allocateBytes: 1024 * 1024,
      maxSyncs: 4,
      ...(opts.compactBytes === undefined ? {} : { compactBytes: opts.compactBytes }),
    },
  );
  const bounds = opts.bounds ?? DEFAULT_BOUNDS;
  const write = (recs: Array<Omit<JournalRecord, 's'>>) => {
    for (const r of recs) applyRecord(m, r as JournalRecord);
    return journal.append(recs);
  };

  const inbox: Inbox = {
    async enqueue(repo: string, alerts: readonly AlertmanagerAlert[]) {
      const { puts, result } = planEnqueue(m.inbox, repo, alerts, bounds);
      // Each put is journaled as `{ t: 'put', r: repo, e: entry }`, from the entry's JSON made already.
      const r = JSON.stringify(repo);
      const lines: string[] = [];
      for (const p of puts) {
        applyPut(m.inbox, repo, p.entry);
        lines.push(`{"t":"put","r":${r},"e":${p.json}}`);
      }
      await journal.appendJson(lines);
      return result;
    },
    async snapshot(repo) {
      return entriesOf(m.inbox, repo);
    },
    async consume(repo, entries) {
      const recs = entries
        .filter((e) => m.inbox.get(repo)?.get(e.owner)?.get(e.id)?.version === e.version)
        .map((e) => ({ t: 'del', r: repo, o: e.owner, i: e.id, v: e.version }));
      await write(recs);
    },
    async repos() {
      return [...m.inbox.keys()];
    },
    async depth() {
      return countEntries(m.inbox);
    },
  };

  const maxPending = opts.maxPendingPerRepo ?? 1000;
  const pending: PendingStore = {
    async hold(repo, input) {
      const list = m.pending.get(repo);
      if (list && list.size >= maxPending && !list.has(input.request.id)) {
        opts.log.warn({ repo, id: input.request.id, max: maxPending }, 'pending list full; remediation not kept');
        return;
      }
      await write([{ t: 'pend', r: repo, p: input }]);
    },
    async release(repo, id) {
      if (m.pending.get(repo)?.has(id)) await write([{ t: 'unpend', r: repo, i: id }]);
    },
    async list(repo) {
      return [...(m.pending.get(repo)?.values() ?? [])];
    },
    async repos() {
      return [...m.pending.keys()];
    },
    async count() {
      let n = 0;
      for (const l of m.pending.values()) n += l.size;
      return n;
    },
  };

  const holds: Holds = {
    async set(repo, untilMs) {
      await write([{ t: 'hold', r: repo, u: untilMs }]);
    },
    async get(repo, nowMs) {
      const u = m.holds.get(repo);
      return u !== undefined && u > nowMs ? u : null;
    },
    async clear(repo) {
      if (m.holds.has(repo)) await write([{ t: 'unhold', r: repo }]);
    },
  };

  const maxSeen = opts.deliveries?.max ?? 20_000;
  const ttl = opts.deliveries?.ttlMs ?? 3 * 86_400_000;
  const deliveries: DeliveryLog = {
    async claim(keys) {
      const now = Date.now();
      if (keys.some((k) => (m.seen.get(k) ?? 0) > now)) return false;
      await write(keys.map((k) => ({ t: 'seen', k, x: now + ttl })));
      while (m.seen.size > maxSeen) m.seen.delete(m.seen.keys().next().value as string);
      return true;
    },
  };

  const jobs = new LocalJobs({
    holds,
    log: opts.log,
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
  });

  // Each set of delayed jobs has its own journal in a subdirectory (closed with the store).
  const delayed: Array<DelayedJobs<unknown>> = [];
  return {
    kind: 'journal',
    inbox,
    pending,
    holds,
    deliveries,
    jobs,
    async delayed<T>(name: string, o = {}) {
      const d = await openJournalDelayed<T>(join(opts.dir, delayedName(name)), opts.log, o);
      delayed.push(d as DelayedJobs<unknown>);
      return d;
    },
    journalStats: () => ({ ...journal.stats, syncSeconds: journal.syncSeconds }),
    async close() {
      await Promise.all(delayed.map((d) => d.close().catch(() => {})));
      await journal.close();
    },
  };
}
