/** salve serve's state: the embedded journal (default) or BullMQ over Redis (`--queue redis://…`). */
import type { Logger } from '../telemetry/logger.ts';
import { openEmbeddedStore } from './embedded.ts';
import type { StateStore } from './types.ts';

export { alertId, ownerKey, payloadOf } from './entries.ts';
export * from './types.ts';

export interface StateConfig {
  stateDir: string;
  queue?: string | undefined;
  queueMaxOwners: number;
  queueMaxAlertsPerOwner: number;
  retryBaseMs: number;
  jobLockMs: number;
}

export async function openState(config: StateConfig, log: Logger): Promise<StateStore> {
  const bounds = { maxOwners: config.queueMaxOwners, maxAlertsPerOwner: config.queueMaxAlertsPerOwner };
  const backoff = { baseMs: config.retryBaseMs, maxMs: Math.max(config.retryBaseMs, 300_000) };
  if (config.queue) {
    const { openRedisStore } = await import('./redis.ts');
    return openRedisStore({ url: config.queue, log, bounds, backoff, lockMs: config.jobLockMs });
  }
  return openEmbeddedStore({ dir: config.stateDir, log, bounds, backoff });
}
