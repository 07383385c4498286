/** `.salve.yaml` `followUp:`: how long the follow-up of a merged remediation waits and looks back. */
import ms from 'ms';
import { z } from 'zod';

const Duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 90s, 10m, 2h');

export const FollowUpConfig = z
  .object({
    /** After Argo CD reports the merge synced and settled, how long the change must hold. */
    stabilisationWindow: Duration.default('10m'),
    /** How long to wait for Argo CD to sync the merge before the outcome is inconclusive. */
    syncTimeout: Duration.default('30m'),
    /** The pre-remediation window SLO queries are compared with. */
    preWindow: Duration.default('30m'),
    /** How often to look at the Application while waiting for the sync. */
    pollInterval: Duration.default('30s'),
    /**
     * When a follow-up finds salve's own merged change harmful, salve opens a PR reverting it:
     * `approve` (default) asks a human to merge it, `automate` lets salve merge it by itself where
     * policy allows (never in pci, never in a freeze; merge.revert-own-harmful).
     */
    revert: z.enum(['approve', 'automate']).optional(),
  })
  .strict();
export type FollowUpConfig = z.infer<typeof FollowUpConfig>;

export interface FollowUpSettings {
  stabiliseMs: number;
  syncTimeoutMs: number;
  preWindowMs: number;
  pollMs: number;
}

export function followUpSettings(c: FollowUpConfig = FollowUpConfig.parse({})): FollowUpSettings {
  const d = (s: string) => ms(s as ms.StringValue);
  return {
    stabiliseMs: d(c.stabilisationWindow),
    syncTimeoutMs: d(c.syncTimeout),
    preWindowMs: d(c.preWindow),
    pollMs: d(c.pollInterval),
  };
}
