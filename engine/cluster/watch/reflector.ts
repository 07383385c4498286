/**
 * List, then watch from the list's resourceVersion, for ever: the loop behind every cluster read.
 *
 * - Watches ask for bookmarks and resume from the newest resourceVersion seen (object or bookmark),
 *   so a reconnect replays nothing and misses nothing.
 * - `410 Gone` (the resourceVersion was compacted away, as an ERROR event or an HTTP status) drops
 *   the resourceVersion: the next round relists and hands the complete set to `replace`.
 * - A watch the server ends (its timeout) reconnects at once; errors back off exponentially with
 *   jitter, up to `maxBackoffMs`, and a watch silent for longer than `idleMs` is dropped and retried.
 * client-node's ListWatch does not request bookmarks, stops at the first non-410 error and lists
 * without pagination, hence this loop over its Watch transport.
 */
import type { Watch } from '@kubernetes/client-node';
import pRetry from 'p-retry';
import type { Logger } from '../../telemetry/logger.ts';
import { describeApiError, statusOf } from '../errors.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string };
}

export interface ListPage<T> {
  items: T[];
  resourceVersion: string;
  continue?: string | undefined;
}

export interface ReflectorSource<T> {
  /** For logs: `pods in shop`. */
  describe: string;
  /** Collection path for the watch, e.g. `/api/v1/namespaces/shop/pods`. */
  path: string;
  fieldSelector?: string;
  /** One page of the list (wire JSON items). */
  list(page: { limit: number; continue?: string }): Promise<ListPage<T>>;
}

export interface ReflectorHandlers<T> {
  /** The complete current set, after the first list and after every relist. */
  replace(items: T[]): void;
  event(type: WatchEventType, obj: T): void;
}

export interface ReflectorOptions {
  watch: Pick<Watch, 'watch'>;
  log: Logger;
  /** Resume from here instead of listing first (e.g. a resourceVersion kept across a restart). */
  resourceVersion?: string;
  /** Server-side watch timeout; the default spreads reconnects between 5 and 10 minutes. */
  timeoutSeconds?: () => number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A watch that receives nothing, not even a bookmark, for this long is dropped. */
  idleMs?: number;
  pageSize?: number;
}

export interface ReflectorStats {
  lists: number;
  /** Relists caused by 410 Gone. */
  gone: number;
  watches: number;
  bookmarks: number;
  events: number;
  errors: number;
  resourceVersion: string;
}

export interface Reflector {
  /** Resolves after the first complete list (or the first watch, when resuming). */
  readonly synced: Promise<void>;
  stats(): ReflectorStats;
  stop(): Promise<void>;
}

class WatchFailed extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

const defaultTimeout = () => 300 + Math.floor(Math.random() * 300);

export function startReflector<T extends KubeObject>(
  source: ReflectorSource<T>,
  handlers: ReflectorHandlers<T>,
  opts: ReflectorOptions,
): Reflector {
  const log = opts.log.child({ watch: source.describe });
  const stats: ReflectorStats = {
    lists: 0,
    gone: 0,
    watches: 0,
    bookmarks: 0,
    events: 0,
    errors: 0,
    resourceVersion: opts.resourceVersion ?? '',
  };
  const stopper = new AbortController();
  let current: AbortController | undefined;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });

  async function relist(): Promise<void> {
    const items: T[] = [];
    let next: string | undefined;
    let rv = '';
    do {
      const page = await source.list({ limit: opts.pageSize ?? 500, ...(next ? { continue: next } : {}) });
      items.push(...page.items);
      rv = page.resourceVersion;
      next = page.continue || undefined;
    } while (next && !stopper.signal.aborted);
    stats.lists++;
    stats.resourceVersion = rv;
    handlers.replace(items);
    markSynced();
  }

  function deliver(type: string, obj: T & { code?: number; message?: string; reason?: string }): WatchFailed | null {
    if (type === 'BOOKMARK') {
      stats.bookmarks++;
      if (obj.metadata?.resourceVersion) stats.resourceVersion = obj.metadata.resourceVersion;
      return null;
    }
    if (type === 'ERROR') {
      const status = typeof obj.code === 'number' ? obj.code : undefined;
      return new WatchFailed(`watch error ${status ?? ''} ${obj.reason ?? ''}: ${obj.message ?? ''}`.trim(), status);
    }
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return null;
    stats.events++;
    if (obj.metadata?.resourceVersion) stats.resourceVersion = obj.metadata.resourceVersion;
    try {
      handlers.event(type, obj);
    } catch (err) {
      log.error({ err, type }, 'watch handler failed');
    }
    return null;
  }

  /** One watch, until the server ends it (resolves) or it fails (rejects). */
  function watchOnce(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let failure: WatchFailed | null = null;
      let idle: NodeJS.Timeout | undefined;
      let idled = false;
      let heard = false;
      const started = Date.now();
      const idleMs = opts.idleMs ?? 15 * 60_000;
      const touch = () => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          idled = true;
          current?.abort();
        }, idleMs);
      };
      const finish = (err: unknown) => {
        clearTimeout(idle);
        current = undefined;
        if (stopper.signal.aborted) return resolve();
        if (failure) return reject(failure);
        if (idled) return reject(new WatchFailed(`no event or bookmark for ${idleMs} ms`, undefined));
        if (err) return reject(new WatchFailed(describeApiError(err), statusOf(err)));
        // A server (or proxy) that ends every watch at once would otherwise make a hot loop.
        if (!heard && Date.now() - started < 1000) return reject(new WatchFailed('watch ended at once', undefined));
        resolve();
      };
      stats.watches++;
      touch();
      opts.watch
        .watch(
          source.path,
          {
            allowWatchBookmarks: true,
            resourceVersion: stats.resourceVersion,
            timeoutSeconds: (opts.timeoutSeconds ?? defaultTimeout)(),
            ...(source.fieldSelector ? { fieldSelector: source.fieldSelector } : {}),
          },
          (type: string, obj: T) => {
            heard = true;
            touch();
            const err = deliver(type, obj as T & { code?: number });
            if (err && !failure) {
              failure = err;
              current?.abort();
            }
          },
          finish,
        )
        .then((controller) => {
          current = controller;
          if (stopper.signal.aborted) controller.abort();
        }, finish);
    });
  }

  async function round(): Promise<void> {
    if (!stats.resourceVersion) await relist();
    if (stopper.signal.aborted) return;
    if (stats.lists === 0) markSynced();
    try {
      await watchOnce();
    } catch (err) {
      if (err instanceof WatchFailed && err.status === 410) {
        // The resourceVersion is gone: relist at once rather than back off.
        stats.gone++;
        stats.resourceVersion = '';
        log.info({ gone: stats.gone }, 'resourceVersion too old (410 Gone): relisting');
        return;
      }
      throw err;
    }
  }

  // p-retry gives up at once on some errors (TypeError); every failure here must back off instead.
  const attempt = async () => {
    try {
      await round();
    } catch (err) {
      throw err instanceof WatchFailed ? err : new WatchFailed(describeApiError(err), statusOf(err));
    }
  };

  const loop = (async () => {
    while (!stopper.signal.aborted) {
      try {
        await pRetry(attempt, {
          retries: Number.POSITIVE_INFINITY,
          factor: 2,
          minTimeout: opts.minBackoffMs ?? 500,
          maxTimeout: opts.maxBackoffMs ?? 30_000,
          randomize: true,
          signal: stopper.signal,
          onFailedAttempt: ({ error, attemptNumber }) => {
            if (stopper.signal.aborted) return;
            stats.errors++;
            log.warn(
              { err: error.message, status: statusOf(error) ?? (error as WatchFailed).status, attemptNumber },
              'watch failed; backing off',
            );
          },
        });
      } catch {
        // Only an abort should end pRetry; anything else waits before the loop goes round again.
        if (!stopper.signal.aborted) await new Promise((r) => setTimeout(r, opts.maxBackoffMs ?? 30_000));
      }
    }
  })();

  return {
    synced,
    stats: () => ({ ...stats }),
    stop: async () => {
      stopper.abort();
      current?.abort();
      await loop;
    },
  };
}
