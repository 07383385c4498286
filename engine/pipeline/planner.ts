/** The pipeline behind the App's queue: an Alertmanager payload and a checkout in, plans out. */

import type { Planner } from '../app/types.ts';
import { intakeAlertmanager } from '../intake/index.ts';
import type { PlanResult } from '../model/remediation.ts';
import { coalesce } from '../perceive/index.ts';
import type { SigningKey } from '../policy/index.ts';
import { loadConfig } from '../repo/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { planIncident } from './plan.ts';
import { prepareContext, soleCluster } from './run.ts';

export function createPlanner(opts: { signingKey: SigningKey; log: Logger }): Planner {
  return {
    async plan(payload, ctx) {
      // The config repo says how to read its alerts (`alerts:`) and, with one cluster, which one.
      const { config } = await loadConfig(ctx.checkoutDir);
      const cluster = await soleCluster(ctx.checkoutDir, config);
      const { signals, skipped } = intakeAlertmanager(payload, {
        source: `alertmanager webhook for ${ctx.repo.owner}/${ctx.repo.repo}`,
        now: ctx.now,
        alerts: config.alerts,
        ...(cluster ? { cluster } : {}),
      });
      if (skipped.length > 0) ctx.onSkipped?.(skipped);
      const incidents = coalesce(signals, { now: ctx.now });
      if (incidents.length === 0) return [];
      const pipeline = await prepareContext(ctx.checkoutDir, {
        signingKey: opts.signingKey,
        now: ctx.now,
        log: opts.log,
      });
      const results: PlanResult[] = [];
      for (const incident of incidents) {
        // One incident failing (an unresolvable target, say) must not stop the others.
        try {
          results.push(await planIncident(incident, pipeline));
        } catch (err) {
          opts.log.warn({ err, fingerprint: incident.fingerprint }, 'planning an incident failed');
          results.push({ kind: 'none', reason: `planning failed: ${(err as Error).message}` });
        }
      }
      return results;
    },
  };
}
