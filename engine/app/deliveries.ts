/**
 * Which webhook deliveries were already accepted, so a redelivery or a replayed body is handled
 * once (GitHub recommends idempotency by `X-GitHub-Delivery`). The signature covers the body but
 * not the delivery id, so the body's digest is remembered too: a captured body sent again under a
 * fresh id is a replay as well. Bounded: the oldest entries go first, nothing outlives `ttlMs`.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

export interface DeliveryLog {
  /** True the first time any of `keys` is seen (and records them all); false for a replay. */
  claim(keys: readonly string[]): Promise<boolean>;
}

export interface MemoryDeliveryLogOptions {
  /** Keys remembered (default 20,000: a few MB). */
  max?: number;
  /** How long a key is remembered (default 3 days, GitHub's redelivery window). */
  ttlMs?: number;
}

/** The in-process log; a durable, shared store implements the same interface for several replicas. */
export function memoryDeliveryLog(opts: MemoryDeliveryLogOptions = {}): DeliveryLog {
  const seen = new LRUCache<string, true>({ max: opts.max ?? 20_000, ttl: opts.ttlMs ?? 3 * 86_400_000 });
  return {
    async claim(keys) {
      if (keys.some((k) => seen.has(k))) return false;
      for (const k of keys) seen.set(k, true);
      return true;
    },
  };
}

/** The keys of one delivery: its id (when it has one) and the digest of its raw body. */
export function deliveryKeys(id: string, rawBody: string): string[] {
  const body = `body:${createHash('sha256').update(rawBody).digest('hex')}`;
  return id ? [`id:${id}`, body] : [body];
}
