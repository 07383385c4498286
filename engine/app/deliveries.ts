/**
 * Which webhook deliveries were already accepted, so a redelivery or a replayed body is handled
 * once (GitHub recommends idempotency by `X-GitHub-Delivery`). The signature covers the body but
 * not the delivery id, so the body's digest is remembered too: a captured body sent again under a
 * fresh id is a replay as well. The log itself lives in the state store (journal or Redis).
 */
import { createHash } from 'node:crypto';

export type { DeliveryLog } from '../state/types.ts';

/** The keys of one delivery: its id (when it has one) and the digest of its raw body. */
export function deliveryKeys(id: string, rawBody: string): string[] {
  const body = `body:${createHash('sha256').update(rawBody).digest('hex')}`;
  return id ? [`id:${id}`, body] : [body];
}
