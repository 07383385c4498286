/** The pipeline behind the App's queue: an Alertmanager payload and a checkout in, plans out. */

import type { Planner } from '../app/types.ts';
import { parseAlertmanager } from '../intake/index.ts';
import type { PlanResult } from '../model/remediation.ts';
import { coalesce } from '../perceive/index.ts';
import type { SigningKey } from '../policy/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { planIncident } from './plan.ts';
import { prepareContext } from './run.ts';

export function createPlanner(opts: { signingKey: SigningKey; log: Logger }): Planner {
  return {
    async plan(payload, ctx) {
      const signals = parseAlertmanager(payload, {
        source: `alertmanager webhook for ${ctx.repo.owner}/${ctx.repo.repo}`,
        now: ctx.now,
      });
      const incidents = coalesce(signals, { now: ctx.now });
      if (incidents.length === 0) return [];
      const pipeline = await prepareContext(ctx.checkoutDir, {
        signingKey: opts.signingKey,
        now: ctx.now,
        log: opts.log,
      });
      const results: PlanResult[] = [];
      try {
        for (const incident of incidents) {
          // One incident failing (an unresolvable target, say) must not stop the others.
          try {
            results.push(await planIncident(incident, pipeline));
          } catch (err) {
            opts.log.warn({ err, fingerprint: incident.fingerprint }, 'planning an incident failed');
            results.push({ kind: 'none', reason: `planning failed: ${(err as Error).message}` });
          }
        }
      } finally {
        await pipeline.dispose();
      }
      return results;
    },
  };
}
