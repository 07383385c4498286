/**
 * What a long-lived planner (the server's) keeps of the commits it planned on, across incidents:
 * the commit's listing and blobs, its `.salve.yaml`, its Applications, its compiled policy and
 * results worked out from the commit alone. An entry is keyed by the commit id, which names the
 * commit's content: a run on a fresh clone of the same commit reads the kept listing and blobs
 * through its own clone, a new commit is a new entry, and nothing is carried from one commit to
 * another. Bounded by count; an entry pushed out while a run still holds it is disposed when that
 * run lets it go.
 */
import type { SalveConfig } from '../config/schema.ts';
import type { ArgoApplication } from '../model/remediation.ts';
import { discoverApplications, loadConfig, openSnapshot, type Snapshot } from '../repo/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { CommitMemo } from './context.ts';
import { headOf } from './git.ts';
import type { Base, CommitAssets } from './run.ts';

/** Results kept per commit (deliveries by target, say): more keys than this and the oldest go. */
const MEMO_KEYS = 256;

export interface KeptCommit {
  base: Base;
  /** The commit's policy and templates, prepared on first use (a run with no incident needs none). */
  assets(): Promise<CommitAssets>;
  memo: CommitMemo;
}

export interface CommitLease extends KeptCommit {
  release(): Promise<void>;
}

export interface CommitCache {
  /** The checkout's HEAD commit, kept or opened; release() the lease when the run is done. */
  acquire(repoDir: string): Promise<CommitLease>;
  /** Disposes every entry (each as soon as no run holds it). */
  close(): Promise<void>;
}

interface Opened {
  snapshot: Snapshot;
  config: SalveConfig;
}

interface Entry {
  opened: Promise<Opened>;
  applications: Promise<readonly ArgoApplication[]> | null;
  assets: Promise<CommitAssets> | null;
  memo: CommitMemo;
  users: number;
  dropped: boolean;
}

export function createCommitMemo(max = MEMO_KEYS): CommitMemo {
  const kept = new Map<string, Promise<unknown>>();
  return {
    once<T>(key: string, make: () => Promise<T>): Promise<T> {
      const hit = kept.get(key);
      if (hit) return hit as Promise<T>;
      const made = make();
      kept.set(key, made);
      // A failure is not kept: the next run asks again.
      made.catch(() => {
        if (kept.get(key) === made) kept.delete(key);
      });
      if (kept.size > max) kept.delete(kept.keys().next().value as string);
      return made;
    },
  };
}

async function open(repoDir: string, commit: string): Promise<Opened> {
  const snapshot = await openSnapshot(repoDir, commit);
  return { snapshot, config: (await loadConfig(snapshot)).config };
}

export function createCommitCache(opts: {
  max: number;
  log: Logger;
  prepare: (base: Base) => Promise<CommitAssets>;
}): CommitCache {
  const entries = new Map<string, Entry>();

  async function dispose(entry: Entry): Promise<void> {
    const assets = entry.assets;
    entry.assets = null;
    if (assets) await (await assets.catch(() => null))?.dispose();
  }

  function drop(key: string, entry: Entry): Promise<void> | undefined {
    if (entries.get(key) === entry) entries.delete(key);
    entry.dropped = true;
    return entry.users === 0 ? dispose(entry) : undefined;
  }

  return {
    async acquire(repoDir) {
      const head = await headOf(repoDir);
      const key = head.commit;
      let entry = entries.get(key);
      if (entry) {
        // Most recently used last: the first key is the one to push out.
        entries.delete(key);
        entries.set(key, entry);
      } else {
        entry = {
          opened: open(repoDir, head.commit),
          applications: null,
          assets: null,
          memo: createCommitMemo(),
          users: 0,
          dropped: false,
        };
        entries.set(key, entry);
        for (const [k, e] of entries) {
          if (entries.size <= opts.max) break;
          await drop(k, e);
        }
      }
      const held = entry;
      held.users++;
      let opened: Opened;
      try {
        opened = await held.opened;
      } catch (err) {
        // A commit that does not open (a bad .salve.yaml) is read again next time, as without a cache.
        held.users--;
        await drop(key, held);
        throw err;
      }
      // Read through this run's clone: the one the entry was opened from may be gone.
      const snapshot = opened.snapshot.repoDir === repoDir ? opened.snapshot : opened.snapshot.rebind(repoDir);
      const { config } = opened;
      const applications = () => {
        held.applications ??= discoverApplications(snapshot, config, { log: opts.log });
        const read = held.applications;
        read.catch(() => {
          if (held.applications === read) held.applications = null;
        });
        return read;
      };
      const base: Base = { head, snapshot, config, applications, saveIndex: async () => {} };
      let released = false;
      return {
        base,
        memo: held.memo,
        assets() {
          held.assets ??= opts.prepare(base);
          const made = held.assets;
          // A commit whose policy does not build is tried again next time, as without a cache.
          made.catch(() => {
            if (held.assets === made) held.assets = null;
          });
          return made;
        },
        async release() {
          if (released) return;
          released = true;
          held.users--;
          if (held.dropped && held.users === 0) await dispose(held);
        },
      };
    },
    async close() {
      await Promise.all([...entries].map(([k, e]) => drop(k, e)));
    },
  };
}
